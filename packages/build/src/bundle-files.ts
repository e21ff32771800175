/** The files of a service's dist/ besides main.js (the launcher) and build.json: shared by build and launcher. */
export const BUNDLE_FILE = 'bundle.cjs';
/** V8's code cache of the bundle, written by the launcher after a start (see launcher.ts). */
export const CACHE_FILE = 'bundle.cjs.v8-cache';
/** The global under which the launcher offers import() to the bundle (see launcher.ts). */
export const IMPORTER = '__openBankImport';
/**
 * Set by the build when it runs a fresh bundle once to write its first code cache (see launcher.ts), so that
 * even the first start after a build has one.
 */
export const WARM_ENV = 'OPEN_BANK_WARM_CACHE';
/** Beside a cache written by that warm-up: the first real start writes a fuller one and removes this. */
export const WARM_MARK_FILE = 'bundle.cjs.v8-cache.warm';
