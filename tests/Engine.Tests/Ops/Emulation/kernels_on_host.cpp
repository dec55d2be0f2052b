// kernels.cu on the host (shim.h): SGEMM ladder and matmul vs a double reference (and the rungs
// bit-identical to each other), reductions, argmax ties, softmax/log-softmax/cross-entropy, the
// bad-label report, im2col/col2im and avg-pool adjointness, max-pool argmax and backward, batch-norm
// statistics, total variation forward/backward, that every kernel writing an AllocateUninitialized output
// overwrites it (NaN prefill), the matmul's grid-stride over more tiles than blocks and its 64-bit tile
// arithmetic, and that the deterministic index_add / max-pool backward give the same bits in any
// block and thread order (emu_shuffle) while their atomic versions do not.
// Built and run by KernelEmulationTests: clang++-14 -std=c++20, with kernels.cu's
// `extern __shared__` buffer replaced by a static array (KERNELS_CU is the edited copy).
#include "shim.h"
#include KERNELS_CU
#include <cstdio>
#include <random>
static std::mt19937 rng(1);
static float rnd() { std::uniform_real_distribution<float> d(-2, 2); float v; do v = d(rng); while (std::fabs(v) < 0.1f); return v; }
static int fails = 0;
static void check(const char* what, double err, double tol) { printf("%-40s err %.2e %s\n", what, err, err <= tol ? "ok" : "FAIL"); if (err > tol) fails++; }
static double relerr(const std::vector<float>& a, const std::vector<double>& b) { double s = 0, e = 0; for (double v : b) s = std::max(s, std::fabs(v)); for (size_t i = 0; i < b.size(); i++) e = std::max(e, std::fabs(a[i] - b[i]) / std::max(std::fabs(b[i]), 1e-3 * s)); return e; }
static double normerr(const std::vector<float>& a, const std::vector<double>& b) { double s = 0, e = 0; for (size_t i = 0; i < b.size(); i++) { s = std::max(s, std::fabs(b[i])); e = std::max(e, std::fabs(a[i] - b[i])); } return e / s; }
static std::vector<double> gemm(const std::vector<float>& A, const std::vector<float>& B, int M, int N, int K, bool ta, bool tb)
{ std::vector<double> C(M * N); for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) { double s = 0; for (int k = 0; k < K; k++) s += (double)A[ta ? k * M + i : i * K + k] * B[tb ? j * K + k : k * N + j]; C[i * N + j] = s; } return C; }
int main()
{
    // SGEMM ladder at 132 x 136 x 140 (K, N multiples of 4; not of the tiles)
    int M = 132, N = 136, K = 140;
    std::vector<float> A(M * K), B(K * N); for (auto& v : A) v = rnd(); for (auto& v : B) v = rnd();
    auto want = gemm(A, B, M, N, K, false, false);
    struct R { const char* n; void (*f)(int, int, int, float, const float*, const float*, float, float*); dim3 b; bool colsFirst; int tile; };
    R rungs[] = { {"sgemm_naive", sgemm_naive, {32, 32}, false, 32}, {"sgemm_coalesced", sgemm_coalesced, {32, 32}, true, 32}, {"sgemm_smem_tiled", sgemm_smem_tiled, {32, 32}, true, 32},
                  {"sgemm_block_tiled_2d", sgemm_block_tiled_2d, {256}, true, 128}, {"sgemm_vectorized", sgemm_vectorized, {256}, true, 128} };
    for (auto& r : rungs)
    {
        std::vector<float> C(M * N, 0.f);
        dim3 g = r.colsFirst ? dim3{(unsigned)((N + r.tile - 1) / r.tile), (unsigned)((M + r.tile - 1) / r.tile)} : dim3{(unsigned)((M + 31) / 32), (unsigned)((N + 31) / 32)};
        launch(g, r.b, [&] { r.f(M, N, K, 1.f, A.data(), B.data(), 0.f, C.data()); });
        static std::vector<float> first; if (first.empty()) first = C;
        check(r.n, normerr(C, want), 1e-5);
        check("  bit-identical to sgemm_naive", first == C ? 0 : 1, 0);
    }
    // matmul_f32 with transposes and batch 2, alpha/beta
    for (int ta = 0; ta < 2; ta++) for (int tb = 0; tb < 2; tb++)
    {
        int m = 37, n = 29, k = 41;
        std::vector<float> a(2 * m * k), b(2 * k * n), c(2 * m * n); for (auto& v : a) v = rnd(); for (auto& v : b) v = rnd(); for (auto& v : c) v = rnd();
        std::vector<double> w(2 * m * n);
        for (int z = 0; z < 2; z++) { auto p = gemm(std::vector<float>(a.begin() + z * m * k, a.begin() + (z + 1) * m * k), std::vector<float>(b.begin() + z * k * n, b.begin() + (z + 1) * k * n), m, n, k, ta, tb);
            for (int i = 0; i < m * n; i++) w[z * m * n + i] = 0.5 * p[i] + 2.0 * c[z * m * n + i]; }
        launch({(unsigned)(2 * ((n + 15) / 16) * ((m + 15) / 16))}, {16, 16}, [&] { matmul_f32(a.data(), b.data(), c.data(), m, n, k, ta, tb, 0.5f, 2.f, 2); });
        char name[64]; snprintf(name, 64, "matmul_f32 ta=%d tb=%d batch 2", ta, tb); check(name, normerr(c, w), 1e-5);
    }
    // reduce_sum / max and argmax over [5, 77, 3] axis 1, block 128
    {
        int o = 5, n = 77, in = 3; std::vector<float> x(o * n * in); for (auto& v : x) v = rnd();
        std::vector<float> s(o * in), mx(o * in); std::vector<int> am(o * in);
        launch({(unsigned)(o * in)}, {128}, [&] { reduce_sum_f32(x.data(), s.data(), n, in, o * in); });
        launch({(unsigned)(o * in)}, {128}, [&] { reduce_max_f32(x.data(), mx.data(), n, in, o * in); });
        std::vector<float> s4(o * in, NAN); launch({4}, {128}, [&] { reduce_sum_f32(x.data(), s4.data(), n, in, o * in); });
        std::vector<double> ws(o * in), wm(o * in);
        for (int a = 0; a < o; a++) for (int b = 0; b < in; b++)
        { double sum = 0, m = -INFINITY; for (int k = 0; k < n; k++) { double v = x[(a * n + k) * in + b]; sum += v; m = std::max(m, v); } ws[a * in + b] = sum; wm[a * in + b] = m; }
        check("reduce_sum_f32 [5, 77, 3] axis 1", normerr(s, ws), 1e-6); check("reduce_max_f32 [5, 77, 3] axis 1", relerr(mx, wm), 0);
        check("  reduce_sum_f32 on 4 blocks for 15 rows: same bits", memcmp(s.data(), s4.data(), s.size() * 4) == 0 ? 0 : 1, 0);
        for (auto& v : x) v = (float)(1 + rng() % 3);
        launch({(unsigned)(o * in)}, {128}, [&] { argmax_f32(x.data(), am.data(), n, in, o * in); });
        std::vector<int> am4(o * in, -1); launch({4}, {128}, [&] { argmax_f32(x.data(), am4.data(), n, in, o * in); });
        double e = 0;
        for (int a = 0; a < o; a++) for (int b = 0; b < in; b++) { int best = 0; for (int k = 1; k < n; k++) if (x[(a * n + k) * in + b] > x[(a * n + best) * in + b]) best = k; if (am[a * in + b] != best) e = 1; }
        check("argmax_f32 ties first", e, 0); check("  argmax_f32 on 4 blocks for 15 rows: same", am == am4 ? 0 : 1, 0);
    }
    // softmax + SCE index over [7, 300]
    {
        int r = 7, c = 300; std::vector<float> x(r * c), p(r * c), loss(r), y(r * c); for (auto& v : x) v = rnd();
        std::vector<int> lab(r); for (auto& l : lab) l = rng() % c; std::vector<long long> err(2, 0);
        launch({(unsigned)r}, {256}, [&] { softmax_cross_entropy_index_f32(x.data(), lab.data(), 0, p.data(), loss.data(), c, err.data(), 1e-7f); });
        launch({(unsigned)r}, {256}, [&] { log_softmax_f32(x.data(), y.data(), c); });
        std::vector<double> wp(r * c), wl(r), wy(r * c);
        for (int i = 0; i < r; i++) { double m = -1e30, s = 0; for (int j = 0; j < c; j++) m = std::max(m, (double)x[i * c + j]); for (int j = 0; j < c; j++) s += std::exp(x[i * c + j] - m);
            for (int j = 0; j < c; j++) { wp[i * c + j] = std::exp(x[i * c + j] - m) / s; wy[i * c + j] = x[i * c + j] - m - std::log(s); } wl[i] = -std::log(wp[i * c + lab[i]] + 1e-7); }
        check("softmax_cross_entropy_index probs", relerr(p, wp), 1e-5); check("softmax_cross_entropy_index loss", relerr(loss, wl), 1e-5); check("log_softmax_f32", relerr(y, wy), 1e-5);
        // delta = 0: the exact log-softmax, for integer labels and for soft targets
        std::vector<float> t(r * c), loss0(r), lossT(r); for (auto& v : t) v = std::fabs(rnd());
        std::vector<double> wl0(r), wlT(r);
        for (int i = 0; i < r; i++) { wl0[i] = -wy[i * c + lab[i]]; for (int j = 0; j < c; j++) wlT[i] -= t[i * c + j] * wy[i * c + j]; }
        launch({(unsigned)r}, {256}, [&] { softmax_cross_entropy_index_f32(x.data(), lab.data(), 0, p.data(), loss0.data(), c, err.data(), 0.f); });
        check("softmax_cross_entropy_index delta=0 loss", relerr(loss0, wl0), 1e-5);
        launch({(unsigned)r}, {256}, [&] { softmax_cross_entropy_f32(x.data(), t.data(), p.data(), lossT.data(), c, 0.f); });
        check("softmax_cross_entropy delta=0 soft loss", relerr(lossT, wlT), 1e-5); check("softmax_cross_entropy probs", relerr(p, wp), 1e-5);
        lab[3] = c + 5; launch({(unsigned)r}, {256}, [&] { softmax_cross_entropy_index_f32(x.data(), lab.data(), 0, p.data(), loss.data(), c, err.data(), 1e-7f); });
        check("bad label reported (row 3)", (err[0] == 4 && err[1] == c + 5) ? 0 : 1, 0);
    }
    // im2col / col2im adjointness and max pool
    {
        Conv g{2, 3, 9, 11, 3, 2, 2, 1, 0, 0}; g.oh = (g.h + 2 * g.pad - g.kh) / g.stride + 1; g.ow = (g.w + 2 * g.pad - g.kw) / g.stride + 1;
        int nx = g.n * g.c * g.h * g.w, nc = g.n * g.oh * g.ow * g.c * g.kh * g.kw;
        std::vector<float> x(nx), cols(nc), c2(nc), dx(nx); for (auto& v : x) v = rnd(); for (auto& v : c2) v = rnd();
        launch({64}, {256}, [&] { im2col_f32(x.data(), cols.data(), g); });
        launch({64}, {256}, [&] { col2im_f32(c2.data(), dx.data(), g); });
        double l = 0, r = 0; for (int i = 0; i < nc; i++) l += (double)cols[i] * c2[i]; for (int i = 0; i < nx; i++) r += (double)x[i] * dx[i];
        check("<im2col x, c> = <x, col2im c>", std::fabs(l - r) / std::fabs(l), 1e-5);
        int ny = g.n * g.c * g.oh * g.ow; std::vector<float> y(ny), dy(ny), dxp(nx, 0.f); std::vector<int> am(ny); for (auto& v : dy) v = rnd();
        launch({16}, {256}, [&] { max_pool2d_f32(x.data(), y.data(), am.data(), g); });
        double e = 0; for (int t = 0; t < ny; t++) { int nc2 = t / (g.oh * g.ow); if (x[nc2 * g.h * g.w + am[t]] != y[t]) e = 1; }
        check("max_pool2d argmax points at the max", e, 0);
        launch({16}, {256}, [&] { max_pool2d_backward_f32(dy.data(), am.data(), dxp.data(), ny, g.oh * g.ow, g.h * g.w); });
        double sdy = 0, sdx = 0; for (float v : dy) sdy += v; for (float v : dxp) sdx += v; check("max_pool2d_backward conserves Σ dy", std::fabs(sdy - sdx) / std::fabs(sdy), 1e-5);
        std::vector<float> ya(ny), dxa(nx); launch({16}, {256}, [&] { avg_pool2d_f32(x.data(), ya.data(), g); }); launch({16}, {256}, [&] { avg_pool2d_backward_f32(dy.data(), dxa.data(), g); });
        l = 0; r = 0; for (int i = 0; i < ny; i++) l += (double)ya[i] * dy[i]; for (int i = 0; i < nx; i++) r += (double)x[i] * dxa[i];
        check("<avgpool x, dy> = <x, avgpool' dy>", std::fabs(l - r) / std::fabs(l), 1e-5);
    }
    // batch norm stats over [4, 3, 10]
    {
        long long n = 4, c = 3, s = 10; std::vector<float> x(n * c * s), rm(c, 0.f), rv(c, 1.f), sm(c), si(c); for (auto& v : x) v = rnd();
        launch({(unsigned)c}, {64}, [&] { batch_norm_stats_f32(x.data(), rm.data(), rv.data(), sm.data(), si.data(), n, c, s, 0.1, 1e-5); });
        std::vector<double> wm(c), wi(c);
        for (int ch = 0; ch < c; ch++) { double m = 0, q = 0; for (int i = 0; i < n; i++) for (int k = 0; k < s; k++) m += x[(i * c + ch) * s + k]; m /= n * s;
            for (int i = 0; i < n; i++) for (int k = 0; k < s; k++) { double d = x[(i * c + ch) * s + k] - m; q += d * d; } wm[ch] = m; wi[ch] = 1 / std::sqrt(q / (n * s) + 1e-5); }
        check("batch_norm_stats mean", relerr(sm, wm), 1e-6); check("batch_norm_stats inv std", relerr(si, wi), 1e-6);
    }
    // 16-bit rounding against torch 1.13 (x.to(torch.float16 / torch.bfloat16).float()), ties and subnormals included
    {
        std::vector<float> x = {1.0f, 1.00390625f, 1.01171875f, 3.14159265f, 1e-8f, 7e-8f, 65504.f, 70000.f, -2.5e-5f, 1e30f, 1.00048828125f, 1.00146484375f, 2.98023223876953125e-8f, 8.940696716308594e-08f};
        std::vector<double> f16 = {1.0, 1.00390625, 1.01171875, 3.140625, 0.0, 5.960464477539063e-08, 65504.0, INFINITY, -2.4974346160888672e-05, INFINITY, 1.0, 1.001953125, 0.0, 1.1920928955078125e-07};
        std::vector<double> bf16 = {1.0, 1.0, 1.015625, 3.140625, 1.0011717677116394e-08, 6.984919309616089e-08, 65536.0, 70144.0, -2.5033950805664062e-05, 1.0002555517425873e+30, 1.0, 1.0, 2.9802322387695312e-08, 8.940696716308594e-08};
        int n = (int)x.size(); std::vector<float> y(n), z(n);
        launch({1}, {32}, [&] { unary_roundfloat16_f32(x.data(), y.data(), n); });
        launch({1}, {32}, [&] { unary_roundbfloat16_f32(x.data(), z.data(), n); });
        double e16 = 0, eb = 0; for (int i = 0; i < n; i++) { if ((double)y[i] != f16[i]) e16 = 1; if ((double)z[i] != bf16[i]) eb = 1; }
        check("unary_roundfloat16_f32 = torch float16", e16, 0); check("unary_roundbfloat16_f32 = torch bfloat16", eb, 0);
    }
    // Outputs from IBackend.AllocateUninitialized (Tensor.Empty: conv's im2col/GEMM/permute/dx/dW buffers,
    // max-pool y/argmax/dx, ReLU's dx, MatMul's result) hold whatever the caching allocator's last user left.
    // Each kernel that writes such an output must give bit-identical results over a NaN-prefilled and a
    // zero-prefilled output: it writes every element and never reads it first. MaxPool2dBackward scatters
    // (atomicAdd), so CudaBackend runs fill_T(dx, 0) before it; that composition is what is checked here.
    {
        auto same = [](const char* what, auto prefill, auto run) {
            auto z = prefill(0.0), q = prefill(NAN); run(z); run(q);
            bool eq = z.size() == q.size() && memcmp(z.data(), q.data(), z.size() * sizeof(z[0])) == 0;
            check(what, eq ? 0 : 1, 0);
        };
        // For a kernel that adds with atomicAdd, overlapping windows add in thread order, so two runs can differ
        // in the last bits: the outputs must agree to 1e-6 relative instead, and NaN never passes.
        auto near = [](const char* what, auto prefill, auto run) {
            auto z = prefill(0.0), q = prefill(NAN); run(z); run(q);
            double err = z.size() == q.size() ? 0 : 1;
            for (size_t i = 0; i < z.size() && i < q.size(); i++)
            {
                double d = std::fabs((double)z[i] - (double)q[i]) / (1 + std::fabs((double)z[i]));
                if (!(d <= err)) err = std::isnan(d) ? 1 : d;
            }
            check(what, err, 1e-6);
        };
        auto vf = [](size_t n) { return [n](double v) { return std::vector<float>(n, (float)v); }; };
        auto vd = [](size_t n) { return [n](double v) { return std::vector<double>(n, v); }; };
        Conv geos[] = { {2, 3, 9, 11, 3, 2, 2, 1, 0, 0}, {2, 3, 8, 8, 2, 2, 2, 0, 0, 0}, {1, 2, 7, 6, 3, 3, 1, 1, 0, 0} };
        for (Conv g : geos)
        {
            g.oh = (g.h + 2 * g.pad - g.kh) / g.stride + 1; g.ow = (g.w + 2 * g.pad - g.kw) / g.stride + 1;
            size_t nx = (size_t)g.n * g.c * g.h * g.w, nc = (size_t)g.n * g.oh * g.ow * g.c * g.kh * g.kw, ny = (size_t)g.n * g.c * g.oh * g.ow;
            std::vector<float> x(nx), c(nc), dy(ny); for (auto& v : x) v = rnd(); for (auto& v : c) v = rnd(); for (auto& v : dy) v = rnd();
            std::vector<double> xd(x.begin(), x.end()), cd(c.begin(), c.end());
            char name[96];
            snprintf(name, 96, "uninit: im2col_f32 k%dx%d s%d p%d", g.kh, g.kw, g.stride, g.pad); same(name, vf(nc), [&](auto& o) { launch({7}, {256}, [&] { im2col_f32(x.data(), o.data(), g); }); });
            snprintf(name, 96, "uninit: im2col_f64 k%dx%d s%d p%d", g.kh, g.kw, g.stride, g.pad); same(name, vd(nc), [&](auto& o) { launch({7}, {256}, [&] { im2col_f64(xd.data(), o.data(), g); }); });
            snprintf(name, 96, "uninit: col2im_f32 k%dx%d s%d p%d", g.kh, g.kw, g.stride, g.pad); same(name, vf(nx), [&](auto& o) { launch({5}, {256}, [&] { col2im_f32(c.data(), o.data(), g); }); });
            snprintf(name, 96, "uninit: col2im_f64 k%dx%d s%d p%d", g.kh, g.kw, g.stride, g.pad); same(name, vd(nx), [&](auto& o) { launch({5}, {256}, [&] { col2im_f64(cd.data(), o.data(), g); }); });
            std::vector<int> am(ny);
            snprintf(name, 96, "uninit: max_pool2d_f32 y k%dx%d s%d p%d", g.kh, g.kw, g.stride, g.pad); same(name, vf(ny), [&](auto& o) { launch({3}, {256}, [&] { max_pool2d_f32(x.data(), o.data(), am.data(), g); }); });
            auto vi = [ny](double v) { return std::vector<int>(ny, std::isnan(v) ? -123456789 : 0); };
            std::vector<float> ym(ny);
            snprintf(name, 96, "uninit: max_pool2d_f32 argmax"); same(name, vi, [&](auto& o) { launch({3}, {256}, [&] { max_pool2d_f32(x.data(), ym.data(), o.data(), g); }); });
            snprintf(name, 96, "uninit: fill_f32 0 + max_pool2d_backward_f32"); near(name, vf(nx), [&](auto& o) {
                launch({5}, {256}, [&] { fill_f32(o.data(), 0.f, (long long)nx); });
                launch({3}, {256}, [&] { max_pool2d_backward_f32(dy.data(), am.data(), o.data(), (long long)ny, (long long)g.oh * g.ow, (long long)g.h * g.w); }); });
        }
        // The conv composition's other writers: y2 [m, f] + bias [f] (binary_add with broadcast), NHWC ↔ NCHW permutes,
        // the dWᵀ → dW transpose, ReLU backward, and the matmul kernel (cuBLAS's stand-in) with beta = 0 in every layout.
        int m = 45, f = 7, nn = 3, oh = 3, ow = 5;
        std::vector<float> a(m * f), bias(f); for (auto& v : a) v = rnd(); for (auto& v : bias) v = rnd();
        Broadcast bc{}; bc.rank = 2; bc.shape[0] = m; bc.shape[1] = f; bc.sa[0] = f; bc.sa[1] = 1; bc.sb[0] = 0; bc.sb[1] = 1;
        same("uninit: binary_add_f32 [45, 7] + [7]", vf(m * f), [&](auto& o) { launch({2}, {256}, [&] { binary_add_f32(a.data(), bias.data(), o.data(), m * f, bc); }); });
        Permutation nhwc_nchw{}; nhwc_nchw.rank = 4; long long ps[4] = {nn, f, oh, ow}, st[4] = {(long long)oh * ow * f, 1, (long long)ow * f, f};
        for (int d = 0; d < 4; d++) { nhwc_nchw.shape[d] = ps[d]; nhwc_nchw.step[d] = st[d]; }
        same("uninit: permute_f32 NHWC → NCHW", vf(m * f), [&](auto& o) { launch({2}, {256}, [&] { permute_f32(a.data(), o.data(), m * f, nhwc_nchw); }); });
        Permutation tr{}; tr.rank = 2; tr.shape[0] = f; tr.shape[1] = m; tr.step[0] = 1; tr.step[1] = f;
        same("uninit: permute_f32 transpose", vf(m * f), [&](auto& o) { launch({2}, {256}, [&] { permute_f32(a.data(), o.data(), m * f, tr); }); });
        std::vector<float> rx(m * f); for (auto& v : rx) v = rnd();
        same("uninit: relu_backward_f32", vf(m * f), [&](auto& o) { launch({2}, {256}, [&] { relu_backward_f32(rx.data(), a.data(), o.data(), m * f); }); });
        for (int ta = 0; ta < 2; ta++) for (int tb = 0; tb < 2; tb++)
        {
            int M = 37, N = 29, K = 41; std::vector<float> A(2 * M * K), B(2 * K * N); for (auto& v : A) v = rnd(); for (auto& v : B) v = rnd();
            std::vector<double> Ad(A.begin(), A.end()), Bd(B.begin(), B.end());
            char name[64]; snprintf(name, 64, "uninit: matmul_f32 beta=0 ta=%d tb=%d batch 2", ta, tb);
            same(name, vf(2 * M * N), [&](auto& o) { launch({3}, {16, 16}, [&] { matmul_f32(A.data(), B.data(), o.data(), M, N, K, ta, tb, 1.f, 0.f, 2); }); });
            snprintf(name, 64, "uninit: matmul_f64 beta=0 ta=%d tb=%d batch 2", ta, tb);
            same(name, vd(2 * M * N), [&](auto& o) { launch({3}, {16, 16}, [&] { matmul_f64(Ad.data(), Bd.data(), o.data(), M, N, K, ta, tb, 1.0, 0.0, 2); }); });
        }
    }
    // total variation over [2, 3, 9, 70] (rows wider than the block): forward per image, backward as a gather,
    // both against Chollet's formula scattered in double; the outputs are overwritten (NaN prefill)
    {
        long long n = 2, c = 3, h = 9, w = 70, total = n * c * h * w; std::vector<float> x(total), dy(n), loss(n, NAN), dx(total, NAN);
        for (auto& v : x) v = rnd(); for (auto& v : dy) v = rnd();
        std::vector<double> wl(n, 0.0), wd(total, 0.0);
        for (long long p = 0; p < n * c; p++) for (long long i = 0; i < h - 1; i++) for (long long j = 0; j < w - 1; j++)
        {
            long long o = p * h * w + i * w + j; double a = (double)x[o] - x[o + w], b = (double)x[o] - x[o + 1], s = a * a + b * b, k = 1.25 * std::pow(s, 0.25) * dy[p / c];
            wl[p / c] += std::pow(s, 1.25); wd[o] += k * 2 * (a + b); wd[o + w] -= k * 2 * a; wd[o + 1] -= k * 2 * b;
        }
        launch({(unsigned)n}, {64}, [&] { total_variation_f32(x.data(), loss.data(), c, h, w); });
        launch({5}, {64}, [&] { total_variation_backward_f32(x.data(), dy.data(), dx.data(), total, c, h, w); });
        bool unwritten = false; for (float v : loss) unwritten |= std::isnan(v); for (float v : dx) unwritten |= std::isnan(v);
        check("total_variation_f32 outputs all written", unwritten ? 1 : 0, 0);
        check("total_variation_f32 = Σ (a + b)^1.25", relerr(loss, wl), 1e-5); check("total_variation_backward_f32", normerr(dx, wd), 1e-5);
        std::vector<double> xd(x.begin(), x.end()), dyd(dy.begin(), dy.end()), dxd(total, NAN);
        launch({5}, {64}, [&] { total_variation_backward_f64(xd.data(), dyd.data(), dxd.data(), total, c, h, w); });
        double e = 0; for (long long t = 0; t < total; t++) e = std::max(e, std::fabs(dxd[t] - wd[t])); double sc = 0; for (double v : wd) sc = std::max(sc, std::fabs(v));
        check("total_variation_backward_f64", std::isnan(e) ? 1 : e / sc, 1e-12);
    }
    // Sizes: the matmul strides a 1-D grid over batch·⌈M/16⌉·⌈N/16⌉ tiles. 3 batches of 70×50 (5·4·3 = 60 tiles)
    // on 1, 7 and 60 blocks give the same bits; the tile arithmetic is 64-bit (a tile index above 2^31).
    {
        int m = 70, n = 50, k = 19, bt = 3; std::vector<float> a(bt * m * k), b(bt * k * n); for (auto& v : a) v = rnd(); for (auto& v : b) v = rnd();
        std::vector<float> c60(bt * m * n, NAN), c7(bt * m * n, NAN), c1(bt * m * n, NAN);
        launch({60}, {16, 16}, [&] { matmul_f32(a.data(), b.data(), c60.data(), m, n, k, 0, 0, 1.f, 0.f, bt); });
        launch({7}, {16, 16}, [&] { matmul_f32(a.data(), b.data(), c7.data(), m, n, k, 0, 0, 1.f, 0.f, bt); });
        launch({1}, {16, 16}, [&] { matmul_f32(a.data(), b.data(), c1.data(), m, n, k, 0, 0, 1.f, 0.f, bt); });
        std::vector<double> w(bt * m * n);
        for (int z = 0; z < bt; z++) { auto p = gemm(std::vector<float>(a.begin() + z * m * k, a.begin() + (z + 1) * m * k), std::vector<float>(b.begin() + z * k * n, b.begin() + (z + 1) * k * n), m, n, k, false, false);
            std::copy(p.begin(), p.end(), w.begin() + z * m * n); }
        check("matmul_f32 60 tiles on 60 blocks", normerr(c60, w), 1e-5);
        check("  on 7 blocks (grid-stride): same bits", memcmp(c60.data(), c7.data(), c60.size() * 4) == 0 ? 0 : 1, 0);
        check("  on 1 block (grid-stride): same bits", memcmp(c60.data(), c1.data(), c60.size() * 4) == 0 ? 0 : 1, 0);
        // M = 2^24 rows, N = 2^12 columns, batch 64: 2^20 · 2^8 · 64 = 2^34 tiles; tile 2^34 − 1 − 5 is in batch 63.
        long long tm = (1LL << 24) / 16, tn = (1LL << 12) / 16, tile = (1LL << 34) - 6, z, r0, c0;
        matmul_tile(tile, tm, tn, z, r0, c0);
        long long rest = tile - 63 * tm * tn;
        check("matmul_tile above 2^31: batch, row, column", (z == 63 && r0 == rest / tn * 16 && c0 == rest % tn * 16 && r0 == (1LL << 24) - 16 && c0 == (1LL << 12) - 6 * 16) ? 0 : 1, 0);
    }
    // Determinism: overlapping 3×3/1 pad-1 max pooling over small-integer x (ties: many windows share an argmax)
    // and index_add with repeated indices, each run under 6 block/thread orders (emu_shuffle). The atomic kernels'
    // bits change with the order; the deterministic ones give one result, equal to the sequential float sum.
    {
        Conv g{2, 3, 9, 11, 3, 3, 1, 1, 0, 0}; g.oh = (g.h + 2 * g.pad - g.kh) / g.stride + 1; g.ow = (g.w + 2 * g.pad - g.kw) / g.stride + 1;
        size_t nx = (size_t)g.n * g.c * g.h * g.w, ny = (size_t)g.n * g.c * g.oh * g.ow, planes = (size_t)g.n * g.c, plane = (size_t)g.oh * g.ow, in_plane = (size_t)g.h * g.w;
        std::vector<float> x(nx), y(ny), dy(ny); std::vector<int> am(ny); for (auto& v : x) v = (float)(rng() % 2); for (auto& v : dy) v = rnd();
        launch({4}, {256}, [&] { max_pool2d_f32(x.data(), y.data(), am.data(), g); });
        std::vector<float> want(nx, 0.f); for (size_t t = 0; t < ny; t++) want[t / plane * in_plane + am[t]] += dy[t];
        int rows = 11, width = 5, count = 60; std::vector<float> xi(count * width); std::vector<int> idx(count); std::vector<long long> err(2, 0);
        for (auto& v : xi) v = rnd(); for (auto& i : idx) i = (int)(rng() % rows);
        std::vector<float> want_i(rows * width, 0.f); for (int i = 0; i < count; i++) for (int j = 0; j < width; j++) want_i[idx[i] * width + j] += xi[i * width + j];
        // The segments CudaBackend.IndexSegments builds: indices grouped by destination row, each group in index order.
        std::vector<int> order, starts{0}, dest;
        for (int r = 0; r < rows; r++) { size_t before = order.size(); for (int i = 0; i < count; i++) if (idx[i] == r) order.push_back(i); if (order.size() > before) { dest.push_back(r); starts.push_back((int)order.size()); } }
        long long segments = (long long)dest.size();
        bool det_same = true, no_bad = true, pool_varies = false, add_varies = false;
        std::vector<float> first_pool, first_add;
        for (unsigned long long seed = 1; seed <= 6; seed++)
        {
            emu_shuffle(seed);
            std::vector<float> a(nx, 0.f), d(nx, 0.f), ai(rows * width, 0.f), di(rows * width, 0.f);
            launch({8}, {256}, [&] { max_pool2d_backward_f32(dy.data(), am.data(), a.data(), (long long)ny, (long long)plane, (long long)in_plane); });
            launch({(unsigned)seed}, {32}, [&] { max_pool2d_backward_deterministic_f32(dy.data(), am.data(), d.data(), (long long)planes, (long long)plane, (long long)in_plane); });
            launch({3}, {64}, [&] { index_add_f32(xi.data(), idx.data(), ai.data(), count, width, rows, err.data()); });
            launch({(unsigned)seed}, {8}, [&] { index_add_deterministic_f32(xi.data(), order.data(), starts.data(), dest.data(), di.data(), segments, width); });
            det_same &= memcmp(d.data(), want.data(), nx * 4) == 0 && memcmp(di.data(), want_i.data(), di.size() * 4) == 0;
            if (seed == 1) { first_pool = a; first_add = ai; }
            pool_varies |= memcmp(a.data(), first_pool.data(), nx * 4) != 0;
            add_varies |= memcmp(ai.data(), first_add.data(), ai.size() * 4) != 0;
            no_bad &= err[0] == 0;
        }
        emu_shuffle(0);
        check("max_pool2d_backward_deterministic, index_add_deterministic: same bits in 6 orders", det_same ? 0 : 1, 0);
        check("  and index_add reported no bad index", no_bad ? 0 : 1, 0);
        check("max_pool2d_backward (atomics): bits vary with the order", pool_varies ? 0 : 1, 0);
        check("index_add (atomics): bits vary with the order", add_varies ? 0 : 1, 0);
    }
    printf("%d failed\n", fails);
    return fails != 0;
}
