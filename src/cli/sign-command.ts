import { Option, type Command } from 'commander';
import type { Readable } from 'node:stream';
import { oneLine, SandanError } from '../errors.js';
import { describeNotUtf8, notUtf8 } from '../model/utf8.js';
import { loadCertificates, loadLocalSigner } from '../sign/load.js';
import { readXmlInput } from './input.js';
import { DEFAULT_MAX_XML_BYTES, decodeXmlBytes, xmlBytesEncoding } from '../xml/safety.js';
import { signMessage, type SignOptions } from '../sign/sign-message.js';
import { envelopeToSign } from '../sign/dxp-envelope.js';
import type { Diagnosis, DiagnosisCheck } from '../sign/diagnose.js';
import { certificateValidityAt, verifyMessage } from '../sign/verify-message.js';
import { districtSignOptions, keyTypeOf, verifyAlgorithmsFromDistrict } from '../sign/algorithms.js';
import { districtRuleset } from '../rules/district-ruleset.js';
import { beijingIsoDate, beijingTimeOption, instantText } from '../time/beijing.js';
import type { CommandContext } from './command.js';
import type { CliIo } from './io.js';
import { refuseOutputOverInput, writeFileAtomic } from './atomic-file.js';

/** Options of `sandan sign`. */
interface SignCommandOptions {
  district?: string;
  key: string;
  cert: string;
  passphraseEnv?: string;
  certNo?: string;
  out?: string;
  signatureMethod?: string;
  digestMethod?: string;
  rsaSha256?: boolean;
  sm2Encoding?: 'raw' | 'der';
  replace?: boolean;
}

/** Options of `sandan verify`. */
interface VerifyCommandOptions {
  district?: string;
  cert?: string;
  /** Exit 0 for a valid signature even when no `--cert` vouches for its certificate. */
  acceptUntrusted?: boolean;
  /** Check that the certificate is valid at this time: `now` or a date and time (Beijing time). */
  at?: string;
  format: 'text' | 'json';
}

// ignoreBOM: the mark stays for the signer's reader, which drops exactly one (a second one is malformed).
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads an XML file or standard input as UTF-8 text; other encodings are a usage error. With `gb` (verify), a file
 * whose declaration names GB2312, GBK or GB18030 is decoded as GB18030, as the parser reads it: the signature is over
 * the canonical form, which has no declaration. Signing keeps to UTF-8: its output would be UTF-8 under a GB
 * declaration.
 */
async function readXml(file: string, stdin: Readable, gb = false): Promise<string> {
  // No further than the signer's and verifier's limit: /dev/zero, read whole, held gigabytes and never ended.
  const bytes = await readXmlInput(file, stdin, DEFAULT_MAX_XML_BYTES);
  const name = file === '-' ? 'Standard input' : file;
  let text: string;
  if (gb && xmlBytesEncoding(bytes) === 'gb18030') {
    try {
      text = decodeXmlBytes(bytes);
    } catch (e) {
      throw new SandanError('FILE_UNREADABLE', `${name}: ${(e as Error).message}`, {
        cause: e,
        details: { content: 'encoding' },
      });
    }
  } else {
    try {
      text = utf8.decode(bytes);
    } catch {
      // Where and what, as the parser tells it (describeNotUtf8); a usage error here, as before.
      const at = notUtf8(bytes);
      throw new SandanError(
        'FILE_UNREADABLE',
        `${name} is not UTF-8 text; CEB messages are UTF-8${at ? ` (${describeNotUtf8(at).en})` : ''}`,
        { details: { content: 'encoding' } },
      );
    }
  }
  const decl = /^\uFEFF?<\?xml[^?]*encoding\s*=\s*["']([^"']+)["']/.exec(text);
  if (decl && decl[1]!.toLowerCase().replace(/[-_]/g, '') !== 'utf8' && !(gb && /^gb(2312|k|18030)$/i.test(decl[1]!)))
    throw new SandanError(
      'FILE_UNREADABLE',
      `${name} declares encoding ${decl[1]}; only ${gb ? 'UTF-8 (or GB2312, GBK, GB18030) messages can be verified' : 'UTF-8 messages can be signed'}`,
      {
        details: { content: 'encoding' },
      },
    );
  if (text.trim() === '')
    throw new SandanError('FILE_UNREADABLE', `${name} is empty`, { details: { content: 'empty' } });
  return text;
}

/**
 * The URIs the district's ruleset lists for the key type, in force today: its first entry for the key type, or the
 * one for the algorithm asked for (--rsa-sha256). A district that lists none for them is a usage error, not a
 * silent fallback to the national URIs.
 */
function districtChoice(district: string, keyType: 'rsa' | 'sm2', algorithm: string, explicit: boolean, now: Date) {
  const entries = districtRuleset(district).data.district?.signatureAlgorithms ?? [];
  const today = beijingIsoDate(now);
  const options = entries.flatMap((e) => districtSignOptions([e], keyType, today) ?? []);
  const chosen = explicit ? options.find((o) => o.signatureAlgorithm === algorithm) : options[0];
  if (!chosen) {
    const listed = [
      ...new Set(
        entries
          .flatMap((e) => districtSignOptions([e], 'rsa', today) ?? districtSignOptions([e], 'sm2', today) ?? [])
          .map((o) => o.signatureAlgorithm),
      ),
    ];
    throw new SandanError(
      'INVALID_OPTION',
      `District ${district} lists no ${explicit ? algorithm : `signature algorithm for an ${keyType.toUpperCase()} key`} in force today (it lists ${listed.join(', ') || 'none'})${explicit && algorithm === 'rsa-sha256' ? "; customs' specification names rsa-sha1 for RSA keys: leave out --rsa-sha256" : ''}`,
    );
  }
  return chosen;
}

/** `sandan sign`: exit 0 with the signed XML on stdout (or in --out); 1 when the XML itself is refused (REFUSED_XML_CODES), 2 for any other problem. */
async function signCommand(file: string, opts: SignCommandOptions, io: CliIo): Promise<number> {
  let passphrase: string | undefined;
  if (opts.passphraseEnv !== undefined) {
    passphrase = io.env[opts.passphraseEnv];
    if (passphrase === undefined)
      throw new SandanError(
        'INVALID_OPTION',
        `Environment variable ${opts.passphraseEnv} (--passphrase-env) is not set`,
      );
  }
  // The message may be signed in place; the key and the certificate are never written over.
  if (opts.out !== undefined)
    await refuseOutputOverInput(opts.out, [
      ['--key', opts.key],
      ['--cert', opts.cert],
    ]);
  const signer = await loadLocalSigner({
    keyPath: opts.key,
    certificatePath: opts.cert,
    passphrase,
    certificateNumber: opts.certNo,
    algorithm: opts.rsaSha256 ? 'rsa-sha256' : undefined,
  });
  const keyType = keyTypeOf(signer.algorithm);
  if (opts.sm2Encoding !== undefined && keyType !== 'sm2')
    throw new SandanError('INVALID_OPTION', `--sm2-encoding is for SM2 keys; the key is ${keyType.toUpperCase()}`);
  const xml = await readXml(file, io.stdin);
  const now = new Date();
  // Customs refuses a signature whose certificate is not valid on the day it arrives: said now, not by a receipt.
  const validity = certificateValidityAt(signer.certificate, now);
  if (validity.outside)
    io.stderr(
      `sandan: warning: the certificate is valid from ${instantText(validity.validFrom.getTime())} to ${instantText(validity.validTo.getTime())}, not now; customs will refuse this signature\n`,
    );
  // A district's accepted algorithms (its ruleset) pick the URIs; explicit options win.
  const fromDistrict =
    opts.district !== undefined
      ? districtChoice(opts.district, keyType, signer.algorithm, opts.rsaSha256 === true, now)
      : undefined;
  const options: SignOptions = {
    ...fromDistrict,
    ...(opts.signatureMethod !== undefined && { signatureMethod: opts.signatureMethod }),
    ...(opts.digestMethod !== undefined && { digestMethod: opts.digestMethod }),
    ...(opts.sm2Encoding !== undefined && { sm2SignatureEncoding: opts.sm2Encoding }),
    ...(opts.replace && { replaceSignature: true }),
  };
  // A DxpMsg (as `sandan build --dxp` writes it): customs checks the signature of the CEB message in its Data, so
  // that message is signed and put back; a signature of the envelope's own was never checked.
  const inner = envelopeToSign(xml, file === '-' ? 'The document' : oneLine(file));
  const signed = await signMessage(inner?.message ?? xml, signer, options).catch((e: unknown) => {
    // The library's message names its option (replaceSignature); here the switch is --replace.
    if (e instanceof SandanError && e.code === 'SIGN_ALREADY_SIGNED' && !opts.replace)
      throw new SandanError(
        'SIGN_ALREADY_SIGNED',
        `${file === '-' ? 'The document' : oneLine(file)}${inner ? ` (the ${inner.root} in its Data)` : ''} already has a ds:Signature; pass --replace to sign it again`,
        { cause: e },
      );
    throw e;
  });
  const output = inner ? inner.rewrap(signed.xml) : signed.xml;
  if (opts.out !== undefined) {
    await writeFileAtomic(opts.out, output);
    io.stderr(
      `${oneLine(`sandan: signed ${file === '-' ? '<stdin>' : file}${inner ? ` (the ${inner.root} in the DxpMsg's Data)` : ''} with ${signed.signatureAlgorithm} (certificate ${signed.certificateNumber}) → ${opts.out}`)}\n`,
    );
  } else {
    io.stdout(output);
  }
  return 0;
}

/**
 * `sandan verify`: exit 0 valid and trusted (signed by a `--cert` certificate or one a CA among them issued), or valid
 * and `--accept-untrusted`; 1 invalid (with the reason) or valid but untrusted; 2 usage or unreadable input.
 */
async function verifyCommand(file: string, opts: VerifyCommandOptions, io: CliIo): Promise<number> {
  const trusted = opts.cert !== undefined ? await loadCertificates(opts.cert) : undefined;
  const xml = await readXml(file, io.stdin, true);
  const allow = opts.district !== undefined ? verifyAlgorithmsFromDistrict(opts.district) : undefined;
  const at =
    opts.at === undefined
      ? undefined
      : opts.at === 'now'
        ? new Date()
        : beijingTimeOption(opts.at, '--at', 'INVALID_OPTION');
  const verifyOptions = { ...(trusted && { trustedCertificates: trusted }), ...allow, ...(at && { at }) };
  let label = file === '-' ? '<stdin>' : file;
  // A DxpMsg's Data is opened by verifyMessage (the message in it is what customs checks): the label says so.
  const r = verifyMessage(xml, verifyOptions);
  const inner = r.dxp;
  if (inner) {
    const where = inner.envelope === 'DxpMsg' ? "DxpMsg's Data" : "Data of the DxpMsgSv's DxpMsg";
    label += ` (the ${inner.messageRoot} in the ${where}${inner.envelopeSignature ? "; the envelope's own ds:Signature is not what customs checks and was not verified" : ''})`;
  }
  const envelope = inner && { ...inner };
  const validity = r.valid ? certificateValidityAt(r.certificate, at ?? new Date()) : undefined;
  const period = validity && {
    validFrom: instantText(validity.validFrom.getTime()),
    validTo: instantText(validity.validTo.getTime()),
  };
  if (opts.format === 'json') {
    const out = r.valid
      ? {
          valid: true,
          signatureMethod: r.signatureMethod,
          digestMethod: r.digestMethod,
          signatureAlgorithm: r.signatureAlgorithm,
          certificateNumber: r.certificateNumber ?? null,
          subject: r.certificate.subject,
          serialNumber: r.certificate.serialNumber.toLowerCase(),
          ...period,
          trusted: r.trusted,
          accepted: r.trusted || Boolean(opts.acceptUntrusted),
          ...envelope,
        }
      : {
          valid: false,
          reason: r.reason,
          message: r.message,
          ...(r.diagnosis && { diagnosis: r.diagnosis }),
          ...envelope,
        };
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
  } else if (r.valid) {
    io.stdout(
      `${oneLine(`${label}: valid signature (${r.signatureAlgorithm}, digest ${r.digestAlgorithm}; certificate ${r.certificate.subject.replace(/\n/g, ', ')}, serial ${r.certificate.serialNumber.toLowerCase()}${r.certificateNumber ? `, KeyName ${r.certificateNumber} (not covered by the signature)` : ''}${period ? `, valid ${period.validFrom} to ${period.validTo}` : ''}${r.trusted ? ', trusted' : ''})`)}\n${r.trusted ? '' : untrustedNote(opts.acceptUntrusted === true)}`,
    );
  } else {
    io.stdout(
      `${oneLine(`${label}: invalid signature: ${r.reason}: ${r.message}`)}\n${r.diagnosis ? formatDiagnosis(r.diagnosis) : ''}`,
    );
  }
  return r.valid && (r.trusted || opts.acceptUntrusted === true) ? 0 : 1;
}

/** What a valid signature without a trust anchor means, and why it fails without --accept-untrusted. */
function untrustedNote(accepted: boolean): string {
  const why = 'UNTRUSTED: no --cert was given, so the certificate is only the one in the message (anyone can make one)';
  return accepted
    ? `${why}; accepted because of --accept-untrusted.\n`
    : `${why}. Pass --cert with the certificate(s) you trust, or --accept-untrusted to accept this.\n`;
}

const RESULT_MARK: Record<DiagnosisCheck['result'], string> = {
  explains: 'EXPLAINS',
  likely: 'likely',
  no: 'no',
  skipped: 'skipped',
};

/** The diagnosis of a failed verification for people: the cause, what to do, then every check made. */
function formatDiagnosis(d: Diagnosis): string {
  const out = [
    `  diagnosis: ${d.cause}${d.also.length ? ` (also ${d.also.join(', ')})` : ''}`,
    `    ${d.message.zh}`,
    `    ${d.message.en}`,
    `  fix: ${d.fix.zh}`,
    `       ${d.fix.en}`,
    '  checks:',
  ];
  for (const c of d.checks) {
    const tried = c.result === 'no' && c.tried > 0 ? ` (${c.tried} variant${c.tried === 1 ? '' : 's'} tried)` : '';
    out.push(`    ${RESULT_MARK[c.result].padEnd(8)} ${c.id}${tried}${c.detail ? `: ${c.detail.en}` : ''}`);
  }
  return `${out.map(oneLine).join('\n')}\n`;
}

/** Registers `sandan sign` on the program. */
export function registerSignCommand(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('sign')
    .description(
      'Sign a CEB message (XML) with an enveloped XML signature; the algorithm follows the key (RSA → rsa-sha1, SM2 → sm2-sm3).',
    )
    .argument(
      '<file>',
      'the CEB message (.xml), or a DxpMsg holding one (the message in its Data is signed, as customs checks it), or - for standard input',
    )
    .requiredOption('--key <file>', 'private key: PEM (PKCS#8, PKCS#1, SEC1; encrypted too) or DER')
    .requiredOption('--cert <file>', 'the certificate of the key (PEM or DER)')
    .option('--passphrase-env <var>', 'environment variable holding the key passphrase')
    .option('--cert-no <no>', 'certificate number for ds:KeyName (default: the serial number in hex)')
    .option('--out <file>', 'write the signed message here instead of standard output')
    .option('--rsa-sha256', 'RSA keys: sign rsa-sha256 with a sha256 digest instead of rsa-sha1')
    .option(
      '--signature-method <uri>',
      'SignatureMethod URI to write (e.g. the Hainan http://www.w3.org/2000/09/xmldsig#sm2-sm3)',
    )
    .option(
      '--digest-method <uri>',
      'DigestMethod URI (and digest) to use, e.g. http://www.w3.org/2000/09/xmldsig#sha1',
    )
    .addOption(new Option('--sm2-encoding <encoding>', 'SM2 SignatureValue encoding').choices(['raw', 'der']))
    .option('--replace', 'replace an existing ds:Signature')
    .option(
      '--district <code>',
      "use the signature algorithm URIs the district's ruleset lists first for this key type (or for --rsa-sha256); a district that lists none is an error. Hainan (6400) lists the national URIs first: its variant is --signature-method/--digest-method",
    )
    .action(async (file: string, opts: SignCommandOptions) => {
      setExit(await signCommand(file, opts, io));
    });
}

/** Registers `sandan verify` on the program. */
export function registerVerifyCommand(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('verify')
    .description(
      "Verify the signature of a signed CEB message, alone or in a DxpMsg's Data: exit 0 valid and trusted, 1 invalid (with the reason) or untrusted, 2 usage error.",
    )
    .argument('<file>', 'the signed CEB message (.xml) or a DxpMsg holding one, or - for standard input')
    .option('--cert <file>', 'trusted certificate(s) (PEM or DER): the signer must be one of them or issued by one')
    .option(
      '--accept-untrusted',
      'without --cert: exit 0 for a valid signature whose certificate nothing vouches for (it says UNTRUSTED)',
    )
    .option('--district <code>', "accept only the signature algorithms the district's ruleset lists")
    .option(
      '--at <time>',
      'also check that the certificate is valid at this time: now, or a date-time or a date (its 00:00), Beijing time; not checked by default, so that old messages stay verifiable',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (file: string, opts: VerifyCommandOptions) => {
      setExit(await verifyCommand(file, opts, io));
    });
}
