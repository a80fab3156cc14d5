/**
 * What sorcery provides to spell files, as the importer understands it:
 * the variables it sets before a spell file runs, and its shell functions
 * that matter when reading spells as data (configuration questions with
 * their default answers, list helpers, installed-system queries).
 */
import { type Call, type Hook, isKnown, type Tri, unknownVal, val, type Val } from './evaluate.js';

/**
 * Sorcery's mirror variables (its `url` file), with https addresses, and
 * the build host of a default x86_64 glibc install. INSTALL_ROOT is empty:
 * flags such as `--with-foo=$INSTALL_ROOT/usr` become `--with-foo=/usr`.
 */
export const SORCERY_DEFAULTS: Readonly<Record<string, string>> = {
  GNU_URL: 'https://ftp.gnu.org/gnu',
  GNOME_URL: 'https://download.gnome.org',
  KDE_URL: 'https://download.kde.org',
  KERNEL_URL: 'https://www.kernel.org',
  SOURCEFORGE_URL: 'https://downloads.sourceforge.net/sourceforge',
  PERL_CPAN_URL: 'https://www.cpan.org',
  CTAN_URL: 'https://mirrors.ctan.org',
  APACHE_URL: 'https://archive.apache.org/dist',
  XORG_URL: 'https://www.x.org/releases',
  XFREE86_URL: 'https://www.x.org/releases',
  SORCERY_URL: 'https://download.sourcemage.org/sorcery',
  HOST: 'x86_64-pc-linux-gnu',
  BUILD: 'x86_64-pc-linux-gnu',
  SMGL_COMPAT_ARCHS: 'x86_64',
  INSTALL_ROOT: '',
  TRACK_ROOT: '',
  STATE_ROOT: '',
  BUILD_DIRECTORY: '/usr/src',
  SOURCE_CACHE: '/var/spool/sorcery',
};

/** sorcery's shell API: names that phase scripts call (reported when a copied script uses them). */
export const SORCERY_API = new Set([
  'default_build', 'default_build_make', 'default_install', 'default_pre_build', 'default_pre_install',
  'default_post_install', 'default_build_configure', 'default_config', 'default_make', 'prepare_install',
  'make_single', 'make_normal', 'mk_source_dir', 'unpack_file', 'verify_file', 'sedit', 'install_config_file',
  'create_account', 'create_group', 'install_pam_confs', 'gather_docs', 'message', 'query', 'config_query',
  'config_query_option', 'config_query_list', 'persistent_add', 'list_add', 'list_find', 'list_remove',
  'spell_ok', 'spell_installed', 'is_depends_enabled', 'installed_version', 'disable_pic', 'disable_fortify_source',
  'force_dialect', 'real_default_build', 'meson_opt', 'cmake_build', 'default_cmake_build', 'default_meson_build',
  'default_meson_install', 'default_cmake_install', 'get_spell_provider', 'is_version_less', 'install_xinetd',
  'install_initd', 'invoke_gcc', 'invoke_installwatch', 'devoke_installwatch', 'rm_source_dir', 'gaze',
  'sub_depends', 'run_script', 'dispel', 'cast',
]);

function words(v: Val): string[] {
  return v.s.split(/\s+/).filter(Boolean);
}

/** The default answer of a y/n question. */
function yes(v: Val | undefined): boolean {
  return v !== undefined && /^y/i.test(v.s);
}

/**
 * Sorcery functions shared by all spell files. Configuration questions take
 * their default answers (what a non-interactive cast would choose); queries
 * about the installed system are undecidable.
 */
export function sorceryHooks(): Map<string, Hook> {
  const h = new Map<string, Hook>();
  const ok: Hook = () => 'T';
  for (const n of ['message', 'debug', 'persistent_add', 'persistent_remove', 'persistent_load', 'persistent_save', 'persistent_clear', 'depends_message', 'sleep']) h.set(n, ok);
  const undecidable: Hook = () => 'U';
  for (const n of [
    'spell_ok', 'spell_installed', 'spell_held', 'spell_exiled', 'is_depends_enabled', 'is_version_less',
    'is_version_greater', 'installed_version', 'gaze', 'get_spell_provider', 'persistent_read', 'grep', 'readelf',
    'codex_does_spell_exist', 'codex_set_current_spell_by_name', 'show_up_depends', 'cmp',
  ]) h.set(n, undecidable);

  const setIfUnset = (c: Call, name: string, v: Val): void => {
    if (c.interp.get(name) === undefined) c.interp.set(name, v);
  };
  h.set('config_query', (c) => {
    const [name, , dflt] = c.args;
    if (!name || !isKnown(name)) return 'U';
    setIfUnset(c, name.s, val(dflt && yes(dflt) ? 'y' : 'n'));
    return yes(c.interp.get(name.s)) ? 'T' : 'F';
  });
  h.set('config_query_option', (c) => {
    const [name, , dflt, on, off] = c.args;
    if (!name || !isKnown(name)) return 'U';
    const chosen = yes(dflt) ? on : off;
    const cur = c.interp.get(name.s);
    if (chosen !== undefined) c.interp.set(name.s, cur && cur.s !== '' ? { ...cur, s: `${cur.s} ${chosen.s}`.trim() } : chosen);
    // it records the answer and succeeds either way (spells chain it with &&)
    return 'T';
  });
  h.set('config_query_list', (c) => {
    const [name, , first] = c.args;
    if (!name || !isKnown(name)) return 'U';
    if (first) setIfUnset(c, name.s, first);
    return 'T';
  });
  h.set('config_query_string', (c) => {
    const [name, , dflt] = c.args;
    if (!name || !isKnown(name)) return 'U';
    setIfUnset(c, name.s, dflt ?? val(''));
    return 'T';
  });
  h.set('config_query_multi', (c) => {
    const [name] = c.args;
    if (!name || !isKnown(name)) return 'U';
    setIfUnset(c, name.s, val(''));
    return 'T';
  });
  h.set('query', (c) => (yes(c.args[1]) ? 'T' : 'F'));
  h.set('list_add', (c) => {
    const [name, ...items] = c.args;
    if (!name || !isKnown(name)) return 'U';
    const cur = c.interp.get(name.s) ?? val('');
    if (!isKnown(cur) || items.some((i) => !isKnown(i))) {
      c.interp.set(name.s, unknownVal(`$${name.s}`));
      return 'T';
    }
    const list = words(cur);
    for (const i of items.flatMap(words)) if (!list.includes(i)) list.push(i);
    c.interp.set(name.s, val(list.join(' ')));
    return 'T';
  });
  h.set('list_remove', (c) => {
    const [name, ...items] = c.args;
    if (!name || !isKnown(name)) return 'U';
    const cur = c.interp.get(name.s) ?? val('');
    if (!isKnown(cur) || items.some((i) => !isKnown(i))) {
      c.interp.set(name.s, unknownVal(`$${name.s}`));
      return 'T';
    }
    const drop = new Set(items.flatMap(words));
    c.interp.set(name.s, val(words(cur).filter((w) => !drop.has(w)).join(' ')));
    return 'T';
  });
  h.set('list_find', (c): Tri => {
    const [list, ...items] = c.args;
    if (!list || !isKnown(list) || items.some((i) => !isKnown(i))) return 'U';
    const l = words(list);
    return items.some((i) => l.includes(i.s)) ? 'T' : 'F';
  });
  return h;
}
