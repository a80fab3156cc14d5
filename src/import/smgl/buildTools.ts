/**
 * Dependencies that are build tools: needed to build a spell, never a
 * reason to rebuild it, so a plain `depends` on one becomes BuildDepends.
 * Tools that also install libraries programs link against (gettext,
 * gobject-introspection, glib2, perl, python) are not on the list; libtool
 * is (spells depend on it for autoreconf; libltdl users say so explicitly
 * in sorcery too rarely to matter, and a rebuild of libtool never requires
 * relinking its users).
 */
export const BUILD_TOOLS: ReadonlySet<string> = new Set([
  // pkg-config
  'pkgconfig', 'pkg-config', 'pkgconf', 'PKG-CONFIG',
  // build systems
  'make', 'MAKE', 'cmake', 'extra-cmake-modules', 'meson', 'MESON-BUILD', 'ninja', 'ninja-build',
  'ninja-build-system', 'NINJA-BUILD', 'samurai', 'scons', 'autoconf', 'autoconf-archive', 'automake', 'libtool',
  'm4', 'gnu-config',
  // parser and code generators
  'bison', 'byacc', 'YACC', 'flex', 'LEXICAL-SCANNER', 're2c', 'gperf', 'swig', 'ragel', 'cython', 'vala',
  // assemblers
  'nasm', 'yasm', 'X86-ASSEMBLER',
  // translations and documentation
  'gettext-tools', 'intltool', 'itstool', 'help2man', 'texinfo', 'gtk-doc', 'doxygen', 'xmlto', 'docbook-xsl',
  'docbook-xml', 'docbook-xsl-ns', 'asciidoc', 'asciidoctor', 'sphinx', 'ronn',
  // python packaging backends
  'setuptools', 'SETUPTOOLS', 'setuptools-scm', 'wheel', 'flit-core', 'hatchling', 'python-installer',
  'python-build', 'maturin', 'poetry-core', 'pdm-backend', 'scikit-build-core',
  // source patching
  'patch',
]);
