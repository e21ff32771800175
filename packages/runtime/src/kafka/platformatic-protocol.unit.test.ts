import { Reader } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';

// The patched client's response reader (see patches/): a tag buffer is a count of fields, each a tag, a size
// and that many bytes. A broker sends one with NOT_LEADER_OR_FOLLOWER (the partition's CurrentLeader).
describe('platformatic response reader, tagged fields', () => {
  it('steps over every tagged field and lands on the next value', () => {
    const buffer = Buffer.from([
      0x02, // two tagged fields
      0x00, // tag 0 (CurrentLeader)
      0x03, // size 3
      0xaa,
      0xbb,
      0xcc,
      0x01, // tag 1
      0x01, // size 1
      0xdd,
      0x00,
      0x00,
      0x00,
      0x2a, // the int32 after the tag buffer
    ]);
    const reader = Reader.from(buffer);
    reader.readTaggedFields();
    expect(reader.readInt32()).toBe(42);
  });

  it('reads an empty tag buffer as one byte', () => {
    const reader = Reader.from(Buffer.from([0x00, 0x00, 0x00, 0x00, 0x07]));
    reader.readTaggedFields();
    expect(reader.readInt32()).toBe(7);
  });
});
