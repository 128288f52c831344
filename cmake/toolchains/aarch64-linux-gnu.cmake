# Cross-compiling for 64-bit ARM (Raspberry Pi 3/4/5 on a 64-bit OS) on a Debian amd64 machine:
# Debian's cross compiler (g++-aarch64-linux-gnu) and the arm64 -dev packages installed beside the
# native ones (multiarch: libraries in /usr/lib/aarch64-linux-gnu, headers shared in /usr/include).
# Programs the build runs itself (the asset embedder, test discovery) and ctest run under
# qemu-aarch64. scripts/build-arm64 installs all of it and uses this file.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
find_program(STRATA_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64 REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${STRATA_QEMU_AARCH64}")

# pkg-config must see the arm64 .pc files only (the amd64 ones name the wrong libraries).
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# Libraries and headers from the target's directories; programs (npm, node) from the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
