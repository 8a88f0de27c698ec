/**
 * DJPQ's trainable pieces as DL4J layers with their own backpropagation: VIB channel gates ({@link VibGateLayer})
 * and DQ learned quantizers ({@link DqQuantizerLayer}). A second training method beside ADMM; the plain math they
 * use is {@code io.admmnn.core.djpq}.
 */
package io.admmnn.dl4j.djpq;
