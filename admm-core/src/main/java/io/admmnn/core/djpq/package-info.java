/**
 * Plain math of DJPQ (differentiable joint pruning and quantization, Wang, Lu, Blankevoort, ECCV 2020): the bit-width
 * arithmetic of the DQ quantizer parametrization (step d, range q_max), the VIB channel-gate statistics, and the
 * differentiable BOPs objective. No DL4J here; the layers that use it live in {@code io.admmnn.dl4j.djpq}.
 */
package io.admmnn.core.djpq;
