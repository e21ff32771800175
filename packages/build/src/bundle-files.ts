/** The files of a service's dist/ besides main.js (the launcher) and build.json: shared by build and launcher. */
export const BUNDLE_FILE = 'bundle.cjs';
/** V8's code cache of the bundle, written by the launcher after a start (see launcher.ts). */
export const CACHE_FILE = 'bundle.cjs.v8-cache';
/** The global under which the launcher offers import() to the bundle (see launcher.ts). */
export const IMPORTER = '__openBankImport';
