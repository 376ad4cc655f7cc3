#!/usr/bin/env bash
# Writes openapi.json into Sources/SendPromptlyHTTP/OpenAPIDocument.swift, so the one binary
# serves it at GET /openapi.json without a resource bundle beside it. Run it after editing
# openapi.json; OpenAPIDocumentTests fails until the two agree byte for byte.
set -euo pipefail
cd "$(dirname "$0")/../.."
source=openapi.json
target=Sources/SendPromptlyHTTP/OpenAPIDocument.swift
if grep -q '"""##' "$source"; then
  echo "$source contains the string delimiter \"\"\"##" >&2
  exit 1
fi
{
  echo '// Generated from openapi.json by Tests/contract/embed-openapi.sh: edit that file and run the script.'
  echo ''
  echo '/// The OpenAPI 3.1 document of the server (`openapi.json` at the top of the repository),'
  echo '/// compiled in so that the one executable serves it at `GET /openapi.json`.'
  echo 'enum OpenAPIDocument {'
  echo '    static let json = ##"""'
  cat "$source"
  echo ''
  echo '"""##'
  echo '}'
} > "$target"
