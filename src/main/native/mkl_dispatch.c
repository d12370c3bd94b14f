/*
 * Lets the Intel MKL inside libtorch choose its kernels by what the CPU can do instead of by who made it.
 *
 * libtorch's CPU build links oneMKL statically and exports its symbols. On a non-Intel CPU, MKL's dispatcher asks
 * these two functions and, told "no", runs generic x86-64 kernels: on an AMD EPYC with AVX-512, a float32 GEMM of a
 * ViT-S/14 block's shape ran at 16-37 GFLOP/s on one core, against 28-77 GFLOP/s with these answers (MKL then reports
 * and uses its AVX-512 code path). Loaded into the global symbol scope before libtorch (model.MklDispatch does it with
 * dlopen RTLD_GLOBAL), these definitions come ahead of MKL's own, and MKL's checks of the CPU's features (cpuid:
 * AVX2, AVX-512, ...) decide, as they do on Intel CPUs. On an Intel CPU nothing changes. docs/DECISIONS.md D62.
 */
int mkl_serv_intel_cpu_true(void) {
    return 1;
}

int mkl_serv_intel_cpu(void) {
    return 1;
}
