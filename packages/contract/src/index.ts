export * from './errors.ts';
export * from './hops.ts';
