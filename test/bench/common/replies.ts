/** The echo server's replies travel to it in a file: u32 count, then per reply u32 length + bytes. */
import { readFileSync, writeFileSync } from "node:fs";

export function writeReplies(file: string, groups: readonly (readonly Buffer[])[]): void {
  const parts: Buffer[] = [];
  for (const group of groups) {
    const head = Buffer.alloc(4);
    head.writeUInt32LE(group.length);
    parts.push(head);
    for (const reply of group) {
      const len = Buffer.alloc(4);
      len.writeUInt32LE(reply.length);
      parts.push(len, reply);
    }
  }
  writeFileSync(file, Buffer.concat(parts));
}

export function readReplies(file: string): Buffer[][] {
  const data = readFileSync(file);
  const groups: Buffer[][] = [];
  let pos = 0;
  while (pos < data.length) {
    const count = data.readUInt32LE(pos);
    pos += 4;
    const group: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const len = data.readUInt32LE(pos);
      pos += 4;
      group.push(Buffer.from(data.subarray(pos, pos + len)));
      pos += len;
    }
    groups.push(group);
  }
  return groups;
}
