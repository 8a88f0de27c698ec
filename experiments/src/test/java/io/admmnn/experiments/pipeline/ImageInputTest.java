package io.admmnn.experiments.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.data.DatasetId;
import io.admmnn.experiments.data.EpochOrderedBatches;
import io.admmnn.experiments.data.ImageFolderDataset;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Issue 17, point 3: an image folder is read at the input a saved network takes, as the plan says. */
class ImageInputTest {

    @TempDir
    Path dir;

    private static TrainableNetwork net(InputType input, int channels) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).nIn(channels).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(2, 2).stride(2, 2).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("classes").nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(input).build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return TrainableNetwork.of(n);
    }

    private static CompressionPlan plan(String model, CompressionPlan.Images images) {
        return CompressionPlan.quick(model, Map.of("classes", 0.5)).withDataset("image-folder").withImages(images);
    }

    @Test
    void theInputSizeAndChannelsComeFromTheNetworkAndTheBatchesHaveItsShape() throws Exception {
        // 24x20 RGB files of two classes; a grey network for 32x32 (conv 3x3, pool 2: smallest side 32, not 33).
        for (String split : new String[] {"train", "val"}) {
            for (int c = 0; c < 2; c++) {
                Path d = Files.createDirectories(dir.resolve(split).resolve("c" + c));
                BufferedImage img = new BufferedImage(24, 20, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 20; y++) {
                    for (int x = 0; x < 24; x++) {
                        img.setRGB(x, y, c == 0 ? 0xff0000 : 0x0000ff);
                    }
                }
                ImageIO.write(img, "png", d.resolve("a.png").toFile());
            }
        }
        TrainableNetwork grey = net(InputType.convolutional(32, 32, 1), 1);
        ImageFolderDataset.Options o = ImageInput.options(plan("grey.zip", null), grey, false);
        assertThat(List.of(o.channels(), o.height(), o.width(), o.resize())).containsExactly(1, 32, 32, 32);
        assertThat(o.scale()).containsExactly(1 / 255.0);
        EpochOrderedBatches batches = DatasetId.IMAGE_FOLDER.trainBatches(dir, 0, 2, 1, 2, o);
        var x = batches.next().getFeatures();
        assertThat(x.shape()).containsExactly(2, 1, 32, 32);
        assertThat(grey.output(x).shape()).containsExactly(2, 2);
        // Pure red and pure blue: luminance 0.299 and 0.114 of 255, divided by 255.
        assertThat(x.maxNumber().doubleValue()).isCloseTo(0.299, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(x.minNumber().doubleValue()).isCloseTo(0.114, org.assertj.core.data.Offset.offset(1e-6));

        // Stretched to a stated 16x8 RGB, mean-std: (v / 255 - 0.5) / 0.5 gives 1 for 255 and -1 for 0.
        TrainableNetwork rgb = net(InputType.convolutional(16, 8, 3), 3);
        ImageFolderDataset.Options s = ImageInput.options(plan("rgb.zip", new CompressionPlan.Images("16x8", "stretch",
                null, "mean-std", List.of(0.5, 0.5, 0.5), List.of(0.5, 0.5, 0.5))), rgb, false);
        var y = DatasetId.IMAGE_FOLDER.trainBatches(dir, 0, 2, 1, 2, s).next().getFeatures();
        assertThat(y.shape()).containsExactly(2, 3, 16, 8);
        assertThat(y.maxNumber().doubleValue()).isEqualTo(1.0);
        assertThat(y.minNumber().doubleValue()).isEqualTo(-1.0);
        assertThat(rgb.output(y).shape()).containsExactly(2, 2);

        // The built-in AlexNet keeps Caffe's crops.
        assertThat(ImageInput.options(plan("alexnet", null), rgb, false).withSkipUnreadable(false))
                .isEqualTo(ImageFolderDataset.Options.caffeAlexNet());
    }

    @Test
    void aDenseNetworkTakesFlatRowsAndAnUnusableNormalisationIsRefused() {
        MultiLayerNetwork mlp = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(3 * 10 * 10).nOut(4).build())
                .layer(new OutputLayer.Builder().nIn(4).nOut(2).activation(Activation.SOFTMAX).build()).build());
        mlp.init();
        ImageFolderDataset.Options o = ImageInput.options(plan("mlp.zip", null), TrainableNetwork.of(mlp), false);
        assertThat(List.of(o.channels(), o.height(), o.width())).containsExactly(3, 10, 10);
        assertThat(o.rows()).isTrue();
        assertThatThrownBy(() -> ImageInput.options(plan("mlp.zip", new CompressionPlan.Images(null, null, null,
                "mean-std", List.of(0.5), List.of(0.2))), TrainableNetwork.of(mlp), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 channel(s); mlp.zip takes 3");
        assertThatThrownBy(() -> new CompressionPlan.Images("32", null, null, null, null, null))
                .hasMessageContaining("HEIGHTxWIDTH");
    }
}
