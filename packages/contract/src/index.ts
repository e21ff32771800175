export * from './hops.ts';
