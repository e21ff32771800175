export {
  type ComposeFacts,
  checkCompose,
  checkDockerfileVersions,
  checkHostChoice,
  checkKafka,
  checkNativeBinding,
  checkServiceEnv,
  checkServiceImage,
  type DockerfileFacts,
  type HostChoice,
  type NativeBindingFacts,
  type RepoFiles,
  referencedHosts,
} from './checks.ts';
export {
  activeServices,
  type Build,
  type ComposeProject,
  type ComposeService,
  type Dependency,
  type Healthcheck,
  healthcheckTool,
  interpolate,
  type Mount,
  memoryBytes,
  type PortMapping,
  parseCompose,
  parseEnvFile,
  type Vars,
} from './compose.ts';
export {
  type Dockerfile,
  type DockerfileStage,
  declaredArgs,
  effectiveUser,
  isRootUser,
  parseDockerfile,
  stageNamed,
} from './dockerfile.ts';
export { ComposeFormatError, DeployError, InterpolationError } from './errors.ts';
export {
  checkObservability,
  dashboardMetricNames,
  dashboardQueries,
  exposedMetricNames,
  metricNamesOf,
  type ObservabilityFacts,
  type PanelQuery,
} from './observability.ts';
export { REPO_ROOT, type RepoFacts, repoFacts, repoFiles } from './repo.ts';
