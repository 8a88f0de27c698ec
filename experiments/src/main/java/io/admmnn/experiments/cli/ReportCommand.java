package io.admmnn.experiments.cli;

import io.admmnn.experiments.pipeline.RunRecord;
import io.admmnn.experiments.report.PruningReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code admm-nn report DIR}: writes report.md and the charts of a run again from its report.json. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Rewrite report.md and the charts of a results folder from its report.json (e.g. after an upgrade).")
final class ReportCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "the run's results folder")
    Path folder;

    @Override
    public Integer call() throws Exception {
        RunRecord rec = RunRecord.read(folder);
        if (rec.provenance == null) {
            throw new IllegalArgumentException(folder.resolve("report.json") + " has no provenance (command, commit, "
                    + "seed, machine): not written by a run");
        }
        System.out.println(PruningReport.write(rec, folder));
        return 0;
    }
}
