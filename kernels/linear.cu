// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw.

// =============================================================================================
// Linear algebra: the MatMul twin (used when cuBLAS is absent) and the teaching SGEMM ladder
// =============================================================================================

// matmul_T: c = alpha · op(a) · op(b) + beta · c for row-major a, b, c (op = transpose when flagged),
// batch z at offsets z·M·K, z·K·N, z·M·N; beta = 0 never reads c. 16×16 shared-memory tiles.
// TILES: block (16, 16); a 1-D grid strides over the batch·ceil(M/16)·ceil(N/16) output tiles (a 64-bit
// count), so any M, N and batch launch with a grid the host caps (no tile count on gridDim.y/z ≤ 65535).
#define MM_TILE 16

// Output tile `tile` of a [batch, tiles_m, tiles_n] grid of tiles → its batch z and first row and column.
__device__ __forceinline__ void matmul_tile(long long tile, long long tiles_m, long long tiles_n, long long& z, long long& row0, long long& col0)
{
    z = tile / (tiles_m * tiles_n);
    long long rest = tile % (tiles_m * tiles_n);
    row0 = rest / tiles_n * MM_TILE;
    col0 = rest % tiles_n * MM_TILE;
}

template <typename T>
__device__ void matmul(const T* a, const T* b, T* c, int M, int N, int K, int trans_a, int trans_b, T alpha, T beta, long long batch)
{
    __shared__ T as[MM_TILE][MM_TILE + 1];
    __shared__ T bs[MM_TILE][MM_TILE + 1];
    long long tiles_m = ((long long)M + MM_TILE - 1) / MM_TILE, tiles_n = ((long long)N + MM_TILE - 1) / MM_TILE;
    for (long long tile = blockIdx.x; tile < batch * tiles_m * tiles_n; tile += gridDim.x)
    {
        long long z, row0, col0;
        matmul_tile(tile, tiles_m, tiles_n, z, row0, col0);
        const T* az = a + z * M * K;
        const T* bz = b + z * K * N;
        T* cz = c + z * M * N;
        long long row = row0 + threadIdx.y, col = col0 + threadIdx.x;
        T acc = (T)0;
        for (int k0 = 0; k0 < K; k0 += MM_TILE)
        {
            long long ka = k0 + threadIdx.x, kb = k0 + threadIdx.y;
            as[threadIdx.y][threadIdx.x] = (row < M && ka < K) ? (trans_a ? az[ka * M + row] : az[row * K + ka]) : (T)0;
            bs[threadIdx.y][threadIdx.x] = (kb < K && col < N) ? (trans_b ? bz[col * K + kb] : bz[kb * N + col]) : (T)0;
            __syncthreads();
            for (int k = 0; k < MM_TILE; ++k) acc = fma_t(as[threadIdx.y][k], bs[k][threadIdx.x], acc);
            __syncthreads();
        }
        if (row < M && col < N)
        {
            long long o = row * N + col;
            cz[o] = beta == (T)0 ? alpha * acc : alpha * acc + beta * cz[o];
        }
    }
}
extern "C" __global__ void matmul_f32(const float* a, const float* b, float* c, int M, int N, int K, int trans_a, int trans_b, float alpha, float beta, long long batch) { matmul(a, b, c, M, N, K, trans_a, trans_b, alpha, beta, batch); }
extern "C" __global__ void matmul_f64(const double* a, const double* b, double* c, int M, int N, int K, int trans_a, int trans_b, double alpha, double beta, long long batch) { matmul(a, b, c, M, N, K, trans_a, trans_b, alpha, beta, batch); }

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
// B in shared memory (A stored transposed, as[k][row], so a thread reads TM consecutive A values);
// each of its 256 threads computes a TM×TN sub-tile held in registers. Block 256, grid
// (ceil(N/BN), ceil(M/BM)). The helpers below are what the two rungs share; each rung is its loads.
#define BM 128
#define BN 128
#define BK 8
#define TM 8
#define TN 8

// Where a thread of rungs 4 and 5 works: its block's first C row and column, and the row and column
// of its TM×TN sub-tile within the block's BM×BN tile.
struct SgemmThread { int row0, col0, trow, tcol; };

__device__ __forceinline__ SgemmThread sgemm_thread()
{
    const int tid = threadIdx.x;
    SgemmThread t;
    t.row0 = blockIdx.y * BM;
    t.col0 = blockIdx.x * BN;
    t.trow = tid / (BN / TN);
    t.tcol = tid % (BN / TN);
    return t;
}

// acc[TM][TN] = 0.
__device__ __forceinline__ void sgemm_zero(float (&acc)[TM][TN])
{
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = 0.f;
}

// acc += as[k][trow·TM ..] ⊗ bs[k][tcol·TN ..] for k = 0..BK−1: per k, the thread's TM values of the A
// slice (rm) and TN values of the B slice (rn) go to registers, then TM·TN FMAs update the sub-tile.
// VEC4 reads each register fragment from shared memory as two float4 (rung 5), else one float at a time.
template <bool VEC4>
__device__ __forceinline__ void sgemm_slice(const float (&as)[BK][BM], const float (&bs)[BK][BN], SgemmThread t, float (&acc)[TM][TN])
{
    float rm[TM], rn[TN];
#pragma unroll
    for (int k = 0; k < BK; ++k)
    {
        if (VEC4)
        {
            float4 m0 = *(const float4*)&as[k][t.trow * TM], m1 = *(const float4*)&as[k][t.trow * TM + 4];
            float4 n0 = *(const float4*)&bs[k][t.tcol * TN], n1 = *(const float4*)&bs[k][t.tcol * TN + 4];
            rm[0] = m0.x; rm[1] = m0.y; rm[2] = m0.z; rm[3] = m0.w; rm[4] = m1.x; rm[5] = m1.y; rm[6] = m1.z; rm[7] = m1.w;
            rn[0] = n0.x; rn[1] = n0.y; rn[2] = n0.z; rn[3] = n0.w; rn[4] = n1.x; rn[5] = n1.y; rn[6] = n1.z; rn[7] = n1.w;
        }
        else
        {
#pragma unroll
            for (int i = 0; i < TM; ++i) rm[i] = as[k][t.trow * TM + i];
#pragma unroll
            for (int j = 0; j < TN; ++j) rn[j] = bs[k][t.tcol * TN + j];
        }
#pragma unroll
        for (int i = 0; i < TM; ++i)
#pragma unroll
            for (int j = 0; j < TN; ++j) acc[i][j] = fmaf(rm[i], rn[j], acc[i][j]);
    }
}

// C[r, c] = alpha · acc + beta · C[r, c] over the thread's sub-tile, skipping rows and columns outside C.
// VEC4 reads and writes C as float4 (rung 5: N is a multiple of 4, so a float4 is wholly inside or outside C).
template <bool VEC4>
__device__ __forceinline__ void sgemm_store(float* C, int M, int N, float alpha, float beta, SgemmThread t, const float (&acc)[TM][TN])
{
#pragma unroll
    for (int i = 0; i < TM; ++i)
    {
        int r = t.row0 + t.trow * TM + i;
        if (r >= M) break;
#pragma unroll
        for (int j = 0; j < TN; j += VEC4 ? 4 : 1)
        {
            int c = t.col0 + t.tcol * TN + j;
            if (c >= N) continue;
            if (VEC4)
            {
                float4* p = (float4*)&C[(long long)r * N + c];
                float4 old = *p;
                *p = make_float4(alpha * acc[i][j] + beta * old.x, alpha * acc[i][j + 1] + beta * old.y,
                                 alpha * acc[i][j + 2] + beta * old.z, alpha * acc[i][j + 3] + beta * old.w);
            }
            else C[(long long)r * N + c] = alpha * acc[i][j] + beta * C[(long long)r * N + c];
        }
    }
}

// Rung 4, sgemm_block_tiled_2d: the slices are loaded one float at a time (BM·BK and BK·BN floats,
// 256 threads striding over them); any M, N, K.
extern "C" __global__ void __launch_bounds__(256) sgemm_block_tiled_2d(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C)
{
    __shared__ float as[BK][BM];
    __shared__ float bs[BK][BN];
    const int tid = threadIdx.x;
    const SgemmThread t = sgemm_thread();
    float acc[TM][TN];
    sgemm_zero(acc);
    for (int k0 = 0; k0 < K; k0 += BK)
    {
        for (int i = tid; i < BM * BK; i += 256)
        {
            int r = i / BK, c = i % BK;
            as[c][r] = (t.row0 + r < M && k0 + c < K) ? A[(long long)(t.row0 + r) * K + k0 + c] : 0.f;
        }
        for (int i = tid; i < BK * BN; i += 256)
        {
            int r = i / BN, c = i % BN;
            bs[r][c] = (k0 + r < K && t.col0 + c < N) ? B[(long long)(k0 + r) * N + t.col0 + c] : 0.f;
        }
        __syncthreads();
        sgemm_slice<false>(as, bs, t, acc);
        __syncthreads();
    }
    sgemm_store<false>(C, M, N, alpha, beta, t, acc);
}

// Rung 5, sgemm_vectorized: rung 4 with 128-bit (float4) global loads and stores and float4
// shared-memory reads: each thread loads one float4 of the A slice (BM×BK = 256 float4) and one of
// B (BK×BN = 256 float4). Needs K and N to be multiples of 4 (the host checks); any M.
extern "C" __global__ void __launch_bounds__(256) sgemm_vectorized(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C)
{
    __shared__ __align__(16) float as[BK][BM];
    __shared__ __align__(16) float bs[BK][BN];
    const int tid = threadIdx.x;
    const SgemmThread t = sgemm_thread();
    const int ar = tid / (BK / 4), ac = (tid % (BK / 4)) * 4;
    const int br = tid / (BN / 4), bc = (tid % (BN / 4)) * 4;
    float acc[TM][TN];
    sgemm_zero(acc);
    for (int k0 = 0; k0 < K; k0 += BK)
    {
        float4 va = make_float4(0.f, 0.f, 0.f, 0.f), vb = make_float4(0.f, 0.f, 0.f, 0.f);
        if (t.row0 + ar < M && k0 + ac < K) va = *(const float4*)&A[(long long)(t.row0 + ar) * K + k0 + ac];
        if (k0 + br < K && t.col0 + bc < N) vb = *(const float4*)&B[(long long)(k0 + br) * N + t.col0 + bc];
        as[ac + 0][ar] = va.x; as[ac + 1][ar] = va.y; as[ac + 2][ar] = va.z; as[ac + 3][ar] = va.w;
        *(float4*)&bs[br][bc] = vb;
        __syncthreads();
        sgemm_slice<true>(as, bs, t, acc);
        __syncthreads();
    }
    sgemm_store<true>(C, M, N, alpha, beta, t, acc);
}
