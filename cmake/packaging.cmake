# Debian package through CPack (`make deb`, or `cpack -G DEB` in the build dir):
# build/stas_<version>_<arch>.deb with exactly the install layout, shlibs-derived
# Depends, /etc/stas/* as conffiles, and maintainer scripts that start nothing.
find_program(DPKG dpkg)
if(DPKG)
  execute_process(COMMAND ${DPKG} --print-architecture
    OUTPUT_VARIABLE STAS_DEB_ARCH OUTPUT_STRIP_TRAILING_WHITESPACE)
else()
  set(STAS_DEB_ARCH amd64)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME stas)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "stas developers <stas@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "NVMe over Fabrics STorage Appliance Services (C, nvme-stas 2.4.1 compatible)")
set(CPACK_PACKAGE_DESCRIPTION
  "stafd finds NVMe-oF discovery controllers (configuration, mDNS, NBFT) and publishes\n\
their discovery log pages on D-Bus; stacd connects the host to the I/O controllers\n\
they list. stafctl, stacctl and stasadm are the command-line tools. A drop-in\n\
replacement for nvme-stas 2.4.1 (same files, D-Bus API and commands), in one C binary.")
# Absolute install destinations (/usr/bin, /etc, the unit directory): stage them under
# a DESTDIR, never on the build host.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME "stas_${PROJECT_VERSION}_${STAS_DEB_ARCH}.deb")
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${STAS_DEB_ARCH})
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The daemons need the system bus; mDNS discovery goes through avahi-daemon.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "dbus")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "avahi-daemon")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nvme-cli")
# Same commands, files and bus names as nvme-stas.
set(CPACK_DEBIAN_PACKAGE_CONFLICTS "nvme-stas")

set(_deb_dir ${CMAKE_BINARY_DIR}/deb-control)
file(MAKE_DIRECTORY ${_deb_dir})
file(WRITE ${_deb_dir}/conffiles
  "${STAS_SYSCONFDIR}/stas/stafd.conf\n${STAS_SYSCONFDIR}/stas/stacd.conf\n${STAS_SYSCONFDIR}/stas/sys.conf.doc\n")
foreach(script postinst postrm)
  configure_file(${CMAKE_SOURCE_DIR}/cmake/deb/${script}.in ${_deb_dir}/${script} @ONLY
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                     WORLD_READ WORLD_EXECUTE)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${_deb_dir}/conffiles ${_deb_dir}/postinst ${_deb_dir}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
