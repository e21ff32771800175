export { freePort } from './free-port.ts';
export { TEST_KAFKA_CLIENTS } from './kafka-clients.ts';
export { readTopic, type TopicMessage } from './read-topic.ts';
export { repoRoot } from './repo.ts';
export { type ServiceProcess, spawnService } from './service-process.ts';
export { waitFor } from './wait.ts';
