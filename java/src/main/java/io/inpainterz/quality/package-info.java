/**
 * Quality against ground truth: {@link io.inpainterz.quality.GroundTruthClip} composites moving
 * objects over a background whose clean version is known (Debian photos under a synthetic camera,
 * or real footage), {@link io.inpainterz.quality.HoleMetrics} scores a method's output inside the
 * true masks (PSNR, SSIM, flicker), and {@link io.inpainterz.quality.QualityHarness} runs named
 * {@link io.inpainterz.quality.QualityHarness.Method}s over clips into a Markdown table and PNG
 * strips. Internal to the module: tests and benchmarks use it, the API does not export it.
 */
package io.inpainterz.quality;
