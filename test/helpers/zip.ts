import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

/**
 * Zips a directory the way the CDK CLI publishes a Lambda asset (deflated entries, paths relative to the
 * directory). Written here because the SDK-driven deploy in the integration tests has no `cdk-assets` to do it.
 */
export function zipDirectory(dir: string): Buffer {
  const entries = filesUnder(dir).map((path) => ({
    name: relative(dir, path).split(sep).join('/'),
    data: readFileSync(path),
  }));
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const compressed = deflateRawSync(data);
    const fields = {
      crc: crc32(data),
      compressedSize: compressed.length,
      size: data.length,
      nameLength: nameBytes.length,
    };
    const local = header(0x04034b50, fields);
    locals.push(local, nameBytes, compressed);
    centrals.push(centralHeader(fields, offset), nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
  }
  const central = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, central, end]);
}

interface EntryFields {
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly nameLength: number;
}

function header(signature: number, f: EntryFields): Buffer {
  const b = Buffer.alloc(30);
  b.writeUInt32LE(signature, 0);
  b.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
  b.writeUInt16LE(0x0800, 6); // names are UTF-8
  b.writeUInt16LE(8, 8); // method: deflate
  b.writeUInt16LE(0, 10); // time
  b.writeUInt16LE(0x21, 12); // date: 1980-01-01, so the zip is the same bytes every time
  b.writeUInt32LE(f.crc, 14);
  b.writeUInt32LE(f.compressedSize, 18);
  b.writeUInt32LE(f.size, 22);
  b.writeUInt16LE(f.nameLength, 26);
  return b;
}

function centralHeader(f: EntryFields, localOffset: number): Buffer {
  const b = Buffer.alloc(46);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(0x031e, 4); // made by: Unix, 3.0
  header(0, f).copy(b, 6, 4, 30);
  b.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
  b.writeUInt32LE(localOffset, 42);
  return b;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}
