# The glu CMake package: what `cmake --install` puts under a prefix, and
# <prefix>/lib/cmake/glu/GluConfig.cmake so that another project does
#
#   find_package(Glu CONFIG REQUIRED)        # finds MLIR 22.1 as well
#   target_link_libraries(mycc PRIVATE glu::GluRaise glu::GluFFNDialect)
#
# (test/install/consumer is such a project). Every library is in the export
# set GluTargets, namespace glu::; headers keep their include paths
# ("dialect/FFNDialect.h", "passes/raise/Passes.h", "glu/ArtifactAbi.h")
# under <prefix>/include, generated .h.inc and the .td files with them.
#
# add_mlir_library would install each library into MLIR's own export set
# (EXPORT MLIRTargets); glu's libraries pass DISABLE_INSTALL to it and call
# glu_install_library instead.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(GLU_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/glu")

# Installs library `name` into GluTargets, and the headers of the current
# folder: its *.h and *.td, and the *.h.inc generated into its build folder,
# at the same path under include/ as in the source tree.
function(glu_install_library name)
  install(TARGETS ${name} EXPORT GluTargets
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
    INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
  set_property(GLOBAL APPEND PROPERTY GLU_EXPORTED_TARGETS ${name})

  file(RELATIVE_PATH rel "${PROJECT_SOURCE_DIR}" "${CMAKE_CURRENT_SOURCE_DIR}")
  install(DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}/"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/${rel}"
    FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
  install(DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/${rel}"
    FILES_MATCHING PATTERN "*.h.inc"
    PATTERN "CMakeFiles" EXCLUDE)
endfunction()

# Installs executable `name` into bin/ (exported as glu::<name>). The
# installed tool finds the package's shared libraries in ../lib and, unless
# NO_LLVM (the runtime's tools), libMLIR.so and libLLVM.so where this build
# found them.
function(glu_install_tool name)
  cmake_parse_arguments(ARG "NO_LLVM" "" "" ${ARGN})
  get_target_property(rpath ${name} INSTALL_RPATH)
  if(NOT rpath)
    set(rpath)
  endif()
  list(APPEND rpath "\$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  if(LLVM_LIBRARY_DIR AND NOT ARG_NO_LLVM)
    list(APPEND rpath "${LLVM_LIBRARY_DIR}")
  endif()
  list(REMOVE_DUPLICATES rpath)
  set_target_properties(${name} PROPERTIES INSTALL_RPATH "${rpath}")
  install(TARGETS ${name} EXPORT GluTargets
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
  set_property(GLOBAL APPEND PROPERTY GLU_EXPORTED_TARGETS ${name})
endfunction()

# Writes the package files; called once, after every folder is added.
# `needs_mlir`: whether the package's libraries link MLIR (not in a
# GLU_RUNTIME_ONLY build).
function(glu_install_package needs_mlir)
  get_property(targets GLOBAL PROPERTY GLU_EXPORTED_TARGETS)
  # runtime/CMakeLists.txt installs glu_runtime into GluTargets itself.
  if(TARGET glu_runtime)
    list(APPEND targets glu_runtime)
  endif()
  # Include folders given as plain paths name the source or build tree:
  # keep them for the build only (the installed ones come from INCLUDES
  # DESTINATION).
  foreach(target IN LISTS targets)
    get_target_property(dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
    if(NOT dirs)
      continue()
    endif()
    set(wrapped)
    foreach(dir IN LISTS dirs)
      if(dir MATCHES "^\\$<")
        list(APPEND wrapped "${dir}")
      else()
        list(APPEND wrapped "$<BUILD_INTERFACE:${dir}>")
      endif()
    endforeach()
    set_target_properties(${target} PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES "${wrapped}")
  endforeach()

  install(EXPORT GluTargets
    NAMESPACE glu::
    FILE GluTargets.cmake
    DESTINATION "${GLU_INSTALL_CMAKEDIR}")

  if(needs_mlir)
    set(GLU_PACKAGE_NEEDS_MLIR ON)
  else()
    set(GLU_PACKAGE_NEEDS_MLIR OFF)
  endif()
  configure_package_config_file(
    "${PROJECT_SOURCE_DIR}/tools/cmake/GluConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/tools/cmake/GluConfig.cmake"
    INSTALL_DESTINATION "${GLU_INSTALL_CMAKEDIR}"
    PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
  write_basic_package_version_file(
    "${PROJECT_BINARY_DIR}/tools/cmake/GluConfigVersion.cmake"
    VERSION "${PROJECT_VERSION}"
    COMPATIBILITY SameMinorVersion)
  install(FILES
    "${PROJECT_BINARY_DIR}/tools/cmake/GluConfig.cmake"
    "${PROJECT_BINARY_DIR}/tools/cmake/GluConfigVersion.cmake"
    DESTINATION "${GLU_INSTALL_CMAKEDIR}")
endfunction()
