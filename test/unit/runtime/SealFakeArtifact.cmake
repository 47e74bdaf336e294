# cmake -DLIBRARY=<model.so> -DTEMPLATE=<manifest.json.in> -DMANIFEST=<out>
#   -P SealFakeArtifact.cmake
# Writes a fake artifact's manifest with the size and SHA-256 of the library
# just built, as glu-compile records them (docs/artifact-format.md).
file(SIZE "${LIBRARY}" LIBRARY_BYTES)
file(SHA256 "${LIBRARY}" LIBRARY_SHA256)
configure_file("${TEMPLATE}" "${MANIFEST}" @ONLY)
