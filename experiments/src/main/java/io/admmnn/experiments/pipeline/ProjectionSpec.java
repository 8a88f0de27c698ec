package io.admmnn.experiments.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.admmnn.core.io.ErrorText;
import io.admmnn.core.projection.BlockSparsity;
import io.admmnn.core.projection.ChannelSparsity;
import io.admmnn.core.projection.ColumnSparsity;
import io.admmnn.core.projection.FilterSparsity;
import io.admmnn.core.projection.NmSparsity;
import io.admmnn.core.projection.Projection;
import io.admmnn.core.projection.TopKSparsity;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Which constraint set a layer is pruned onto: the factory of the layer's {@link Projection} for a given pruning
 * ratio (fraction of weights removed, in [0, 1)), so that progressive stages can ask for their own stage ratio.
 *
 * <p>{@code type} is a built-in name, {@code topk} (unstructured, the default), {@code filter}, {@code channel},
 * {@code column}, {@code block} (needs {@code blockRows}, {@code blockCols}) or {@code nm} (needs {@code n},
 * {@code m}; its ratio is fixed at {@code 1 - n/m}, so every stage uses the same set), or the fully qualified
 * name of a user class implementing {@link Projection}. A user class is constructed through its public
 * constructor taking the ratio as one {@code double}, or else its public no-argument constructor (which then
 * ignores the ratio); it is looked up when a projection is {@link #create created}, not when a plan is read,
 * so reports of a run can be rewritten without the user's jar.
 *
 * @param type      built-in name (lower case) or fully qualified class name
 * @param blockRows rows per block ({@code block} only)
 * @param blockCols columns per block ({@code block} only)
 * @param n         weights kept per group ({@code nm} only)
 * @param m         group length ({@code nm} only)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProjectionSpec(String type, Integer blockRows, Integer blockCols, Integer n, Integer m) {

    /** The built-in names. */
    public static final List<String> BUILT_IN = List.of("topk", "filter", "channel", "column", "block", "nm");

    /** Unstructured top-k sparsity, the default. */
    public static final ProjectionSpec TOP_K = new ProjectionSpec("topk", null, null, null, null);

    public ProjectionSpec {
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("projection type is missing");
        }
        String lower = type.toLowerCase(Locale.ROOT);
        if (BUILT_IN.contains(lower)) {
            type = lower;
        } else if (!isClassName(type)) {
            throw new IllegalArgumentException("unknown projection '" + type + "'; built-in projections: "
                    + String.join(", ", BUILT_IN) + ", or the fully qualified name of a class implementing "
                    + Projection.class.getName());
        }
        boolean block = type.equals("block");
        boolean nm = type.equals("nm");
        if (block != (blockRows != null) || block != (blockCols != null)) {
            throw new IllegalArgumentException(block ? "projection block needs blockRows and blockCols"
                    : "blockRows and blockCols belong to projection block only");
        }
        if (nm != (n != null) || nm != (m != null)) {
            throw new IllegalArgumentException(nm ? "projection nm needs n and m" : "n and m belong to projection nm only");
        }
        if (block && (blockRows < 1 || blockCols < 1)) {
            throw new IllegalArgumentException("block shape must be at least 1 x 1, was " + blockRows + " x " + blockCols);
        }
        if (nm && (n < 1 || m < n)) {
            throw new IllegalArgumentException("nm needs 1 <= n <= m, was n=" + n + ", m=" + m);
        }
    }

    /** A built-in set without parameters ({@code topk}, {@code filter}, ...) or a user class by name. */
    public static ProjectionSpec of(String type) {
        return new ProjectionSpec(type, null, null, null, null);
    }

    /** Whether this names a user class rather than a built-in set. */
    public boolean isUserClass() {
        return !BUILT_IN.contains(type);
    }

    /** The pruning ratio this set implies regardless of the requested one ({@code 1 - n/m} for N:M), or null. */
    public Double fixedRatio() {
        return type.equals("nm") ? 1.0 - (double) n / m : null;
    }

    /**
     * The projection for pruning ratio {@code ratio}.
     *
     * @throws IllegalArgumentException with a one-line reason when a user class cannot be found, does not
     *                                  implement {@link Projection}, has no usable constructor or rejects the ratio
     */
    public Projection create(double ratio) {
        return switch (type) {
            case "topk" -> new TopKSparsity(ratio);
            case "filter" -> new FilterSparsity(ratio);
            case "channel" -> new ChannelSparsity(ratio);
            case "column" -> new ColumnSparsity(ratio);
            case "block" -> new BlockSparsity(blockRows, blockCols, ratio);
            case "nm" -> new NmSparsity(n, m);
            default -> instantiate(ratio);
        };
    }

    /**
     * The projection of layer {@code layer} for pruning ratio {@code ratio}, as {@link #create(double)}; a user
     * class comes wrapped so that an exception it throws while the run projects ends the run with one line naming
     * the class and the layer (an {@link IllegalArgumentException}, which the command line reports as a user error)
     * rather than with the user's stack trace.
     */
    public Projection create(String layer, double ratio) {
        Projection p = create(ratio);
        return isUserClass() ? new UserProjection(p, type, layer) : p;
    }

    /**
     * The user's own object behind a projection that {@link #create(String, double)} wrapped, {@code p} itself
     * otherwise: for code that needs the user's type (its own accessors), such as tests of what a plan builds.
     */
    public static Projection unwrap(Projection p) {
        return p instanceof UserProjection u ? u.user() : p;
    }

    /** A user's projection on one layer: each call passes through; what it throws is reported as above. */
    private record UserProjection(Projection user, String className, String layer) implements Projection {

        @Override
        public void projectInPlace(INDArray v) {
            try {
                user.projectInPlace(v);
            } catch (RuntimeException e) {
                throw failed(e);
            }
        }

        @Override
        public INDArray project(INDArray v) {
            try {
                return user.project(v);
            } catch (RuntimeException e) {
                throw failed(e);
            }
        }

        @Override
        public boolean isFeasible(INDArray v, double tolerance) {
            try {
                return user.isFeasible(v, tolerance);
            } catch (RuntimeException e) {
                throw failed(e);
            }
        }

        @Override
        public String describe() {
            try {
                return user.describe();
            } catch (RuntimeException e) {
                throw failed(e);
            }
        }

        /** The message, the exception's type and the user's line it came from: enough to find the bug, in one line. */
        private IllegalArgumentException failed(RuntimeException e) {
            String where = java.util.Arrays.stream(e.getStackTrace())
                    .filter(f -> f.getClassName().equals(className) || f.getClassName().startsWith(className + "$"))
                    .findFirst().map(f -> " at " + f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName()
                            + ":" + f.getLineNumber() + ")").orElse("");
            return new IllegalArgumentException("projection " + className + " on layer " + layer + " failed: "
                    + ErrorText.firstLine(e) + " (" + e.getClass().getSimpleName() + where + ")", e);
        }
    }

    private Projection instantiate(double ratio) {
        Class<?> c;
        try {
            c = Class.forName(type, true, classLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("projection class " + type + " not found on the classpath"
                    + " (add its jar with ADMM_NN_EXTRA_CLASSPATH)");
        }
        if (!Projection.class.isAssignableFrom(c)) {
            throw new IllegalArgumentException("class " + type + " does not implement " + Projection.class.getName());
        }
        if (c.isInterface() || Modifier.isAbstract(c.getModifiers()) || !Modifier.isPublic(c.getModifiers())) {
            throw new IllegalArgumentException("projection class " + type + " must be public and not abstract");
        }
        try {
            Constructor<?> withRatio = constructor(c, double.class);
            Object p = withRatio != null ? withRatio.newInstance(ratio) : noArgConstructor(c).newInstance();
            return (Projection) p;
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("constructing projection " + type + " for ratio " + ratio + " failed: "
                    + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot construct projection " + type + ": " + e);
        }
    }

    private Constructor<?> noArgConstructor(Class<?> c) {
        Constructor<?> k = constructor(c);
        if (k == null) {
            throw new IllegalArgumentException("projection class " + type
                    + " needs a public constructor taking the ratio (double) or a public no-argument constructor");
        }
        return k;
    }

    private static Constructor<?> constructor(Class<?> c, Class<?>... parameters) {
        try {
            return c.getConstructor(parameters);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    // The launcher puts user jars on the application class path; a host application may set a context loader.
    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ProjectionSpec.class.getClassLoader();
    }

    private static boolean isClassName(String s) {
        return s.matches("([\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*\\.)+"
                + "[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}$]*");
    }
}
