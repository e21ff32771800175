export * from './bank.ts';
export * from './errors.ts';
export * from './graphql.ts';
export * from './hops.ts';
export * from './live.ts';
export * from './propagation.ts';
export * from './retry.ts';
