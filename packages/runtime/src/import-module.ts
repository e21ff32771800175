/**
 * The global under which a service's launcher (dist/main.js, see @open-bank/build launcher.ts) offers
 * import(): a bundle run from V8's code cache cannot call import() itself on Node 20.
 */
export const IMPORTER_GLOBAL = '__openBankImport';

type Importer = (specifier: string) => Promise<unknown>;

/** import() of an ES module at run time, through the launcher when there is one, else directly. */
export function importModule(specifier: string): Promise<unknown> {
  const viaLauncher = (globalThis as { [IMPORTER_GLOBAL]?: Importer })[IMPORTER_GLOBAL];
  return viaLauncher ? viaLauncher(specifier) : import(specifier);
}
