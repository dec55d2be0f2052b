// A stand-in for libnccl.so.2 with the prototypes of nccl.h, built by NcclTests with clang-14 so the C#
// binding (src/Kernels/Native/NcclNative.cs) can be called on a machine without NCCL or a GPU: it checks
// how arguments arrive (the 128-byte ncclUniqueId by value, the order and widths of the collective
// arguments) and records them for the test to read back with stub_last. No communication happens.
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct ncclComm* ncclComm_t;
typedef struct { char internal[128]; } ncclUniqueId;
typedef int ncclResult_t;   // enum in nccl.h: int-sized
typedef int ncclDataType_t;
typedef int ncclRedOp_t;
typedef void* cudaStream_t;

static struct { unsigned long long send, recv, count; int dtype, op, root, groups, destroyed, aborted; void* comm; void* stream; } last;
static char comm_storage[16];

ncclResult_t ncclGetVersion(int* version) { *version = 22703; return 0; }

ncclResult_t ncclGetUniqueId(ncclUniqueId* id) { for (int i = 0; i < 128; i++) id->internal[i] = (char)(i * 3 + 1); return 0; }

// 0 when the id arrived intact (by value) and rank/nranks are sane, else ncclInvalidArgument (4).
ncclResult_t ncclCommInitRank(ncclComm_t* comm, int nranks, ncclUniqueId id, int rank)
{
    for (int i = 0; i < 128; i++) if (id.internal[i] != (char)(i * 3 + 1)) return 4;
    if (nranks != 3 || rank != 2) return 4;
    *comm = (ncclComm_t)comm_storage;
    return 0;
}

ncclResult_t ncclAllReduce(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, ncclRedOp_t op, ncclComm_t comm, cudaStream_t stream)
{
    last.send = (unsigned long long)sendbuff; last.recv = (unsigned long long)recvbuff; last.count = count;
    last.dtype = datatype; last.op = op; last.comm = comm; last.stream = stream;
    return comm == (ncclComm_t)comm_storage ? 0 : 4;
}

ncclResult_t ncclBroadcast(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, int root, ncclComm_t comm, cudaStream_t stream)
{
    last.send = (unsigned long long)sendbuff; last.recv = (unsigned long long)recvbuff; last.count = count;
    last.dtype = datatype; last.root = root; last.comm = comm; last.stream = stream;
    return comm == (ncclComm_t)comm_storage ? 0 : 4;
}

ncclResult_t ncclGroupStart(void) { last.groups++; return 0; }
ncclResult_t ncclGroupEnd(void) { last.groups += 10; return 0; }
ncclResult_t ncclCommGetAsyncError(ncclComm_t comm, ncclResult_t* asyncError) { *asyncError = comm == (ncclComm_t)comm_storage ? 0 : 6; return 0; }
ncclResult_t ncclCommDestroy(ncclComm_t comm) { last.destroyed++; return comm == (ncclComm_t)comm_storage ? 0 : 4; }
ncclResult_t ncclCommAbort(ncclComm_t comm) { last.aborted++; return comm == (ncclComm_t)comm_storage ? 0 : 4; }

const char* ncclGetErrorString(ncclResult_t result)
{
    static char text[64];
    snprintf(text, sizeof text, "stub error %d", result);
    return text;
}

// For the test: what the last collective received, as text.
const char* stub_last(void)
{
    static char text[256];
    snprintf(text, sizeof text, "send=%llu recv=%llu count=%llu dtype=%d op=%d root=%d groups=%d destroyed=%d aborted=%d comm_ok=%d stream=%llu",
             last.send, last.recv, last.count, last.dtype, last.op, last.root, last.groups, last.destroyed, last.aborted,
             last.comm == (void*)comm_storage, (unsigned long long)last.stream);
    return text;
}
