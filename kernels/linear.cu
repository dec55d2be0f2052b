// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw.

// =============================================================================================
// Linear algebra: the MatMul twin (used when cuBLAS is absent) and the teaching SGEMM ladder
// =============================================================================================

// matmul_T: c = alpha · op(a) · op(b) + beta · c for row-major a, b, c (op = transpose when flagged),
// batch z at offsets z·M·K, z·K·N, z·M·N. 16×16 shared-memory tiles; block (16, 16), grid
// (ceil(N/16), ceil(M/16), batch). beta = 0 never reads c.
#define MM_TILE 16
__device__ __forceinline__ float fma_t(float a, float b, float c) { return fmaf(a, b, c); }
__device__ __forceinline__ double fma_t(double a, double b, double c) { return fma(a, b, c); }
#define DEFINE_MATMUL(sfx, T) \
extern "C" __global__ void matmul_##sfx(const T* a, const T* b, T* c, int M, int N, int K, int trans_a, int trans_b, T alpha, T beta) \
{ \
    __shared__ T as[MM_TILE][MM_TILE + 1]; \
    __shared__ T bs[MM_TILE][MM_TILE + 1]; \
    a += (long long)blockIdx.z * M * K; b += (long long)blockIdx.z * K * N; c += (long long)blockIdx.z * M * N; \
    int row = blockIdx.y * MM_TILE + threadIdx.y, col = blockIdx.x * MM_TILE + threadIdx.x; \
    T acc = (T)0; \
    for (int k0 = 0; k0 < K; k0 += MM_TILE) \
    { \
        int ka = k0 + threadIdx.x, kb = k0 + threadIdx.y; \
        as[threadIdx.y][threadIdx.x] = (row < M && ka < K) ? (trans_a ? a[(long long)ka * M + row] : a[(long long)row * K + ka]) : (T)0; \
        bs[threadIdx.y][threadIdx.x] = (kb < K && col < N) ? (trans_b ? b[(long long)col * K + kb] : b[(long long)kb * N + col]) : (T)0; \
        __syncthreads(); \
        for (int k = 0; k < MM_TILE; ++k) acc = fma_t(as[threadIdx.y][k], bs[k][threadIdx.x], acc); \
        __syncthreads(); \
    } \
    if (row < M && col < N) \
    { \
        long long o = (long long)row * N + col; \
        c[o] = beta == (T)0 ? alpha * acc : alpha * acc + beta * c[o]; \
    } \
}
DEFINE_MATMUL(f32, float)
DEFINE_MATMUL(f64, double)

// The SGEMM ladder (after Simon Boehm's "How to optimize a CUDA matmul kernel"): row-major
// C[M,N] = alpha · A[M,K] · B[K,N] + beta · C, every rung checked against cuBLAS by gpu-check.

// Rung 1, sgemm_naive: one thread per C element, threadIdx.x walks ROWS, so a warp reads 32
// different rows of A (strided, uncoalesced). Block (32, 32), grid (ceil(M/32), ceil(N/32)).
extern "C" __global__ void sgemm_naive(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C)
{
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    int col = blockIdx.y * blockDim.y + threadIdx.y;
    if (row >= M || col >= N) return;
    float acc = 0.f;
    for (int k = 0; k < K; ++k) acc = fmaf(A[(long long)row * K + k], B[(long long)k * N + col], acc);
    C[(long long)row * N + col] = alpha * acc + beta * C[(long long)row * N + col];
}

// Rung 2, sgemm_coalesced: the same, but threadIdx.x walks COLUMNS: a warp reads one A value
// (broadcast) and 32 consecutive B values, and writes 32 consecutive C values.
// Block (32, 32), grid (ceil(N/32), ceil(M/32)).
extern "C" __global__ void sgemm_coalesced(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C)
{
    int col = blockIdx.x * blockDim.x + threadIdx.x;
    int row = blockIdx.y * blockDim.y + threadIdx.y;
    if (row >= M || col >= N) return;
    float acc = 0.f;
    for (int k = 0; k < K; ++k) acc = fmaf(A[(long long)row * K + k], B[(long long)k * N + col], acc);
    C[(long long)row * N + col] = alpha * acc + beta * C[(long long)row * N + col];
}

// Rung 3, sgemm_smem_tiled: 32×32 tiles of A and B staged in shared memory, each global value
// read once per block instead of once per thread. Block (32, 32), grid (ceil(N/32), ceil(M/32)).
#define ST 32
extern "C" __global__ void sgemm_smem_tiled(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C)
{
    __shared__ float as[ST][ST];
    __shared__ float bs[ST][ST];
    int col = blockIdx.x * ST + threadIdx.x;
    int row = blockIdx.y * ST + threadIdx.y;
    float acc = 0.f;
    for (int k0 = 0; k0 < K; k0 += ST)
    {
        as[threadIdx.y][threadIdx.x] = (row < M && k0 + threadIdx.x < K) ? A[(long long)row * K + k0 + threadIdx.x] : 0.f;
        bs[threadIdx.y][threadIdx.x] = (k0 + threadIdx.y < K && col < N) ? B[(long long)(k0 + threadIdx.y) * N + col] : 0.f;
        __syncthreads();
#pragma unroll
        for (int k = 0; k < ST; ++k) acc = fmaf(as[threadIdx.y][k], bs[k][threadIdx.x], acc);
        __syncthreads();
    }
    if (row < M && col < N) C[(long long)row * N + col] = alpha * acc + beta * C[(long long)row * N + col];
}

// Rungs 4 and 5 share the tiling: a block computes a BM×BN tile of C from BK-deep slices of A and
// B in shared memory; each of its 256 threads computes a TM×TN sub-tile held in registers.
// Block 256, grid (ceil(N/BN), ceil(M/BM)).
#define BM 128
#define BN 128
#define BK 8
#define TM 8
#define TN 8

// Rung 4, sgemm_block_tiled_2d: scalar loads (A stored transposed in shared memory so the inner
// loop reads TM consecutive A values); any M, N, K.
extern "C" __global__ void __launch_bounds__(256) sgemm_block_tiled_2d(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C)
{
    __shared__ float as[BK][BM];
    __shared__ float bs[BK][BN];
    const int tid = threadIdx.x;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    const int trow = tid / (BN / TN), tcol = tid % (BN / TN);
    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = 0.f;
    float rm[TM], rn[TN];
    for (int k0 = 0; k0 < K; k0 += BK)
    {
        for (int t = tid; t < BM * BK; t += 256)
        {
            int r = t / BK, c = t % BK;
            as[c][r] = (row0 + r < M && k0 + c < K) ? A[(long long)(row0 + r) * K + k0 + c] : 0.f;
        }
        for (int t = tid; t < BK * BN; t += 256)
        {
            int r = t / BN, c = t % BN;
            bs[r][c] = (k0 + r < K && col0 + c < N) ? B[(long long)(k0 + r) * N + col0 + c] : 0.f;
        }
        __syncthreads();
#pragma unroll
        for (int k = 0; k < BK; ++k)
        {
#pragma unroll
            for (int i = 0; i < TM; ++i) rm[i] = as[k][trow * TM + i];
#pragma unroll
            for (int j = 0; j < TN; ++j) rn[j] = bs[k][tcol * TN + j];
#pragma unroll
            for (int i = 0; i < TM; ++i)
#pragma unroll
                for (int j = 0; j < TN; ++j) acc[i][j] = fmaf(rm[i], rn[j], acc[i][j]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < TM; ++i)
    {
        int r = row0 + trow * TM + i;
        if (r >= M) break;
#pragma unroll
        for (int j = 0; j < TN; ++j)
        {
            int c = col0 + tcol * TN + j;
            if (c < N) C[(long long)r * N + c] = alpha * acc[i][j] + beta * C[(long long)r * N + c];
        }
    }
}

// Rung 5, sgemm_vectorized: rung 4 with 128-bit (float4) global loads and stores and float4
// shared-memory reads. Needs K and N to be multiples of 4 (the host checks); any M.
extern "C" __global__ void __launch_bounds__(256) sgemm_vectorized(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C)
{
    __shared__ __align__(16) float as[BK][BM];
    __shared__ __align__(16) float bs[BK][BN];
    const int tid = threadIdx.x;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    const int trow = tid / (BN / TN), tcol = tid % (BN / TN);
    // Each thread loads one float4 of the A slice (BM×BK = 256 float4) and one of B (BK×BN = 256 float4).
    const int ar = tid / (BK / 4), ac = (tid % (BK / 4)) * 4;
    const int br = tid / (BN / 4), bc = (tid % (BN / 4)) * 4;
    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = 0.f;
    float rm[TM], rn[TN];
    for (int k0 = 0; k0 < K; k0 += BK)
    {
        float4 va = make_float4(0.f, 0.f, 0.f, 0.f), vb = make_float4(0.f, 0.f, 0.f, 0.f);
        if (row0 + ar < M && k0 + ac < K) va = *(const float4*)&A[(long long)(row0 + ar) * K + k0 + ac];
        if (k0 + br < K && col0 + bc < N) vb = *(const float4*)&B[(long long)(k0 + br) * N + col0 + bc];
        as[ac + 0][ar] = va.x; as[ac + 1][ar] = va.y; as[ac + 2][ar] = va.z; as[ac + 3][ar] = va.w;
        *(float4*)&bs[br][bc] = vb;
        __syncthreads();
#pragma unroll
        for (int k = 0; k < BK; ++k)
        {
            float4 m0 = *(const float4*)&as[k][trow * TM], m1 = *(const float4*)&as[k][trow * TM + 4];
            float4 n0 = *(const float4*)&bs[k][tcol * TN], n1 = *(const float4*)&bs[k][tcol * TN + 4];
            rm[0] = m0.x; rm[1] = m0.y; rm[2] = m0.z; rm[3] = m0.w; rm[4] = m1.x; rm[5] = m1.y; rm[6] = m1.z; rm[7] = m1.w;
            rn[0] = n0.x; rn[1] = n0.y; rn[2] = n0.z; rn[3] = n0.w; rn[4] = n1.x; rn[5] = n1.y; rn[6] = n1.z; rn[7] = n1.w;
#pragma unroll
            for (int i = 0; i < TM; ++i)
#pragma unroll
                for (int j = 0; j < TN; ++j) acc[i][j] = fmaf(rm[i], rn[j], acc[i][j]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < TM; ++i)
    {
        int r = row0 + trow * TM + i;
        if (r >= M) break;
#pragma unroll
        for (int j = 0; j < TN; j += 4)
        {
            int c = col0 + tcol * TN + j;
            if (c < N)
            {
                float4* p = (float4*)&C[(long long)r * N + c];
                float4 old = *p;
                *p = make_float4(alpha * acc[i][j] + beta * old.x, alpha * acc[i][j + 1] + beta * old.y,
                                 alpha * acc[i][j + 2] + beta * old.z, alpha * acc[i][j + 3] + beta * old.w);
            }
        }
    }
}
