export { BUNDLE_FILE, CACHE_FILE, IMPORTER } from './bundle-files.ts';
export {
  type BuildRecord,
  type BuildResult,
  buildService,
  builtEntry,
  EXTERNAL,
  packageDir,
  RECORD_FILE,
  REPO_ROOT,
  readRecord,
  SERVICES,
  type ServiceName,
  serviceStaleReason,
  settingsKey,
  staleReason,
} from './service-build.ts';
