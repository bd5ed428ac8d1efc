/**
 * File-reading helper for local keys (the rest of src/sign takes bytes, not paths); the files are
 * read, and an unreadable one told, as everywhere else (src/io/walk.ts).
 */
import { readInputFile, tooLargeFile } from '../io/walk.js';
import type { SignatureAlgorithm } from './algorithms.js';
import { certificatesIn, createLocalSigner, type Signer } from './signer.js';
import { checkArgument } from '../model/guards.js';

/** A key or a bundle of certificates is kilobytes; read whole, /dev/zero never ended. */
const MAX_KEY_FILE_BYTES = 16 * 1024 * 1024;

/** The bytes of a key or certificate file, refused past {@link MAX_KEY_FILE_BYTES}. */
async function read(path: string, what: 'key' | 'certificate'): Promise<Buffer> {
  const bytes = await readInputFile(path, what, MAX_KEY_FILE_BYTES);
  if (bytes === undefined) throw tooLargeFile(path, MAX_KEY_FILE_BYTES, what);
  return bytes;
}

/**
 * Reads a private key and its certificate from files and makes a local signer (see {@link createLocalSigner}).
 * @throws SandanError `FILE_UNREADABLE`, `SIGN_KEY_INVALID`, `SIGN_CERT_INVALID`
 */
export async function loadLocalSigner(opts: {
  keyPath: string;
  certificatePath: string;
  passphrase?: string | undefined;
  certificateNumber?: string | undefined;
  algorithm?: SignatureAlgorithm | undefined;
}): Promise<Signer> {
  checkArgument(opts, 'object', 'loadLocalSigner', 'the options');
  // (a path that is no string was FILE_UNREADABLE with the system's TypeError text, or a TypeError for a Symbol)
  checkArgument(opts.keyPath, 'text', 'loadLocalSigner', 'options.keyPath');
  checkArgument(opts.certificatePath, 'text', 'loadLocalSigner', 'options.certificatePath');
  // Both are read at once, but a failure is told in the order given (the key first), not in the
  // order the file system happened to answer: with both missing, the message is always the key's.
  const [key, certificate] = await Promise.allSettled([
    read(opts.keyPath, 'key'),
    read(opts.certificatePath, 'certificate'),
  ]);
  if (key.status === 'rejected') throw key.reason;
  if (certificate.status === 'rejected') throw certificate.reason;
  return createLocalSigner({
    key: key.value,
    certificate: certificate.value,
    passphrase: opts.passphrase,
    certificateNumber: opts.certificateNumber,
    algorithm: opts.algorithm,
  });
}

/**
 * Reads certificate files (PEM may hold several) for {@link verifyMessage}'s `trustedCertificates`.
 * @throws SandanError `FILE_UNREADABLE`
 */
export async function loadCertificates(path: string): Promise<Array<string | Buffer>> {
  checkArgument(path, 'text', 'loadCertificates', 'the path');
  return certificatesIn(await read(path, 'certificate'));
}
