/**
 * Attention transfer (Li et al., NeurIPS 2024): training a student ViT with a teacher's attention. This package holds
 * what needs no tensor engine (the learning-rate schedule, and later the run loop, data and run folders); the
 * student, the losses and the optimiser run on DJL in {@code org.itaestudio.model.transfer}.
 */
package org.itaestudio.transfer;
