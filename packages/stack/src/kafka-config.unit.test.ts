import { describe, expect, it } from 'vitest';
import {
  brokerJvmArgs,
  brokerProperties,
  isClusterId,
  log4jConfig,
  newClusterId,
  parseProperties,
  renderProperties,
} from './kafka-config.ts';
import { kafkaNodes, portLayout } from './ports.ts';

describe('brokerProperties', () => {
  it('makes one node a combined broker and controller that votes for itself', () => {
    const nodes = kafkaNodes(portLayout(0), 1);
    const [node] = nodes;
    if (!node) throw new Error('no node');
    const p = brokerProperties({ node, nodes, host: '127.0.0.1', dataDir: '/d' });
    expect(p).toMatchObject({
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.voters': '1@127.0.0.1:9093',
      listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:9092',
      'controller.listener.names': 'CONTROLLER',
      'log.dirs': '/d',
      'default.replication.factor': '1',
      'min.insync.replicas': '1',
      'offsets.topic.replication.factor': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'auto.create.topics.enable': 'false',
      'group.initial.rebalance.delay.ms': '0',
    });
  });

  it('gives three nodes the same static voters, their own ports, and replication 3 with min ISR 2', () => {
    const nodes = kafkaNodes(portLayout(10_000), 3);
    const all = nodes.map((node) => brokerProperties({ node, nodes, host: 'h', dataDir: `/d${node.id}` }));
    const voters = '1@h:19093,2@h:19095,3@h:19097';
    expect(all.map((p) => p['controller.quorum.voters'])).toEqual([voters, voters, voters]);
    expect(all.map((p) => p.listeners)).toEqual([
      'PLAINTEXT://h:19092,CONTROLLER://h:19093',
      'PLAINTEXT://h:19094,CONTROLLER://h:19095',
      'PLAINTEXT://h:19096,CONTROLLER://h:19097',
    ]);
    expect(all.map((p) => p['node.id'])).toEqual(['1', '2', '3']);
    for (const p of all) {
      expect(p['default.replication.factor']).toBe('3');
      expect(p['min.insync.replicas']).toBe('2');
      expect(p['offsets.topic.replication.factor']).toBe('3');
      expect(p['transaction.state.log.replication.factor']).toBe('3');
      expect(p['transaction.state.log.min.isr']).toBe('2');
      expect(p['auto.create.topics.enable']).toBe('false');
    }
  });
});

describe('properties files', () => {
  it('round-trips through render and parse', () => {
    const props = { a: 'x', 'b.c': 'y=z', path: 'C:\\data' };
    expect(parseProperties(renderProperties(props))).toEqual({ a: 'x', 'b.c': 'y=z', path: 'C:\\\\data' });
    expect(renderProperties({ a: '1', b: '2' })).toBe('a=1\nb=2\n');
  });
  it('skips comments and blank lines when parsing', () => {
    expect(parseProperties('# c\n\n! d\nk = v\n')).toEqual({ k: 'v' });
  });
});

describe('log4jConfig', () => {
  it('writes INFO to the given file only', () => {
    const text = log4jConfig('/x/logs/kafka-1.log');
    expect(text).toContain('appender.file.fileName = /x/logs/kafka-1.log');
    expect(text).toContain('rootLogger.level = info');
    expect(text).toContain('rootLogger.appenderRef.file.ref = file');
    expect(text).not.toMatch(/Console/);
  });
});

describe('cluster ids', () => {
  it('are 22 characters of URL-safe base64', () => {
    const id = newClusterId();
    expect(isClusterId(id)).toBe(true);
    expect(newClusterId()).not.toBe(id);
  });
  it('never start with a dash and are never the reserved all-zero id', () => {
    const draws = [Buffer.alloc(16, 0xfb), Buffer.alloc(16, 0), Buffer.from('0123456789abcdef')];
    const id = newClusterId(() => draws.shift() as Buffer);
    expect(id).toBe(Buffer.from('0123456789abcdef').toString('base64url'));
    expect(isClusterId('-'.repeat(22))).toBe(true);
    expect(isClusterId('short')).toBe(false);
  });
});

describe('brokerJvmArgs', () => {
  it('bounds the heap, uses G1 and points log4j at the node config', () => {
    const args = brokerJvmArgs(['-Xmx768m', '-Xms768m'], '/n/log4j2.properties', '/logs');
    expect(args.slice(0, 2)).toEqual(['-Xmx768m', '-Xms768m']);
    expect(args).toContain('-XX:+UseG1GC');
    expect(args).toContain('-Dlog4j2.configurationFile=/n/log4j2.properties');
  });
});
