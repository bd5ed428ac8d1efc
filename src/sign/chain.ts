/**
 * The chain check: whether trusted certificates (anchors) vouch for a certificate, directly or through CA certificates
 * at hand, as OpenSSL's (and so xmlsec1's) chain check judges: issuer names and key identifiers, keyUsage,
 * basicConstraints and pathLenConstraint, critical extensions, and name constraints (RFC 5280 4.2.1.10).
 * verifyMessage asks it of the signer's certificate, createLocalSigner of a certificate bundle's.
 */
import {
  type DistinguishedName,
  type GeneralName,
  type GeneralSubtree,
  describeExtension,
  hasNameConstraints,
  OID_SM3_WITH_SM2,
  parseCertificate,
  parseCertificateNames,
  sm2DerToRaw,
} from './der.js';
import type { CertificateInfo } from './signer.js';
import { sm2E, sm2VerifyE, sm2Z } from './sm2.js';

/** Why a certificate with an extension given twice is refused, after "The certificate …". */
export function duplicateExtensionText(oid: string): string {
  return `has the extension ${describeExtension(oid)} twice: RFC 5280 4.2 allows one instance of an extension, and OpenSSL and xmlsec1 refuse such a certificate ("invalid certificate")`;
}

/** A certificate's subject on one line, as the messages name it. */
export function subjectOf(cert: CertificateInfo): string {
  return cert.x509.subject.replace(/\n/g, ', ');
}

function sm2CertSignedBy(cert: CertificateInfo, issuer: CertificateInfo): boolean {
  try {
    const c = parseCertificate(cert.der);
    if (c.signatureAlgorithm !== OID_SM3_WITH_SM2 || issuer.keyType !== 'sm2') return false;
    const raw = sm2DerToRaw(c.signature);
    return sm2VerifyE(sm2E(sm2Z(issuer.sm2Point!), c.tbs), raw, issuer.sm2Point!);
  } catch {
    return false;
  }
}

/**
 * CA certificates that may stand between a signer's certificate and its anchor (those the message carries in
 * KeyInfo). CEB chains are short; the bound keeps a message full of certificates from costing much.
 */
const MAX_INTERMEDIATES = 4;

/** `issuer` issued `cert`: names and key identifiers match, keyUsage allows it (OpenSSL's check), and the signature holds. */
export function issuedBy(cert: CertificateInfo, issuer: CertificateInfo): boolean {
  // (OpenSSL finds no issuer when either has an extension twice: X509_check_issued. Said here, not left to Node's.)
  if (cert.duplicateExtension !== undefined || issuer.duplicateExtension !== undefined) return false;
  if (!cert.x509.checkIssued(issuer.x509)) return false;
  return signedWith(cert, issuer);
}

function signedWith(cert: CertificateInfo, issuer: CertificateInfo): boolean {
  return issuer.keyType === 'rsa' ? cert.x509.verify(issuer.rsaKey!) : sm2CertSignedBy(cert, issuer);
}

/** A CA's pathLenConstraint allows `below` CA certificates under it in the chain. */
function pathLenAllows(ca: CertificateInfo, below: number): boolean {
  const limit = parseCertificate(ca.der).pathLen;
  return limit === undefined || below <= limit;
}

/**
 * Whether a trust anchor vouches for the certificates its key signs: a CA (basicConstraints cA), a version-1
 * self-signed root, which has no extensions to say so, or a certificate with no basicConstraints whose keyUsage is
 * there (it allows keyCertSign, or it issued nothing: checkIssued asks): OpenSSL takes all three, and RFC 5280's path
 * validation asks basicConstraints of the CAs below the anchor only. A partner's own certificate given as an anchor
 * (basicConstraints cA false, or a keyUsage without keyCertSign) vouches for itself only, not for a certificate its
 * holder made for someone else.
 */
function mayIssue(anchor: CertificateInfo): boolean {
  // (an anchor with a critical extension OpenSSL does not process vouches for nothing: OpenSSL refuses the chain)
  if (anchor.unprocessedCritical) return false;
  if (anchor.x509.ca) return true;
  const c = parseCertificate(anchor.der);
  return (c.version === 1 && anchor.x509.checkIssued(anchor.x509)) || (!c.basicConstraints && c.keyUsage !== undefined);
}

/**
 * How the anchors vouch for a certificate: `{ chain: [] }` when it is one of them; `{ chain }` when a CA among them
 * signed it, directly or through CA certificates of `carried` (chain: the issuers from the certificate's own up to the
 * anchor); `{ notCa }` when only an anchor that is no CA signed it; `{ refused }` when every chain found breaks a
 * CA's name constraints (why, after "is not trusted: "); undefined when none signed it.
 */
export function chainOf(
  cert: CertificateInfo,
  anchors: readonly CertificateInfo[],
  carried: readonly CertificateInfo[],
):
  | { chain: CertificateInfo[]; notCa?: undefined; refused?: undefined }
  | { chain?: undefined; notCa: CertificateInfo; refused?: undefined }
  | { chain?: undefined; notCa?: undefined; refused: string }
  | undefined {
  if (anchors.some((a) => a.der.equals(cert.der))) return { chain: [] };
  // Breadth first, so each certificate is first reached with the fewest certificates below it and searched from then
  // only: each issuing check is made once at most, bounded work whatever the message holds. (Self-issued CAs are not
  // counted against a pathLenConstraint, so a longer path through them could count fewer than the one reached first;
  // such a chain, of one CA's several keys among the certificates carried, is left refused rather than searched.)
  const reached = new Set<CertificateInfo>();
  let notCa: CertificateInfo | undefined;
  let refused: string | undefined;
  // `below`: how many CA certificates of the chain stand between the step's certificate and the signer's, a
  // self-issued one (a CA's new key certified by its old, or the reverse) not counted (RFC 5280 6.1.4 (l), OpenSSL).
  let step: Array<{ c: CertificateInfo; path: CertificateInfo[]; below: number }> = [{ c: cert, path: [], below: 0 }];
  for (let depth = 0; step.length > 0; depth++) {
    const next: typeof step = [];
    for (const { c, path, below } of step) {
      for (const a of anchors) {
        if (a.duplicateExtension !== undefined && c.duplicateExtension === undefined) {
          // (its key signed it, but a certificate with an extension twice vouches for nothing: say so)
          if (signedWith(c, a)) refused ??= duplicateRefusal(a);
          continue;
        }
        if (!issuedBy(c, a)) continue;
        if (mayIssue(a) && pathLenAllows(a, below)) {
          const chain = [...path, a];
          const broken = nameConstraintBreach(cert, chain);
          if (broken === undefined) return { chain };
          refused ??= broken;
          continue;
        }
        // (named only when it signed the signer's own certificate: the message says so)
        if (depth === 0) notCa ??= a;
      }
      if (depth >= MAX_INTERMEDIATES) continue;
      for (const i of carried) {
        // A certificate the message carries vouches only as a CA (basicConstraints cA), never as a version-1 root.
        if (reached.has(i) || !i.x509.ca || i.unprocessedCritical || !pathLenAllows(i, below) || !issuedBy(c, i))
          continue;
        reached.add(i);
        next.push({ c: i, path: [...path, i], below: below + (selfIssued(i) ? 0 : 1) });
      }
    }
    step = next;
  }
  if (refused !== undefined) return { refused };
  return notCa && { notCa };
}

function duplicateRefusal(ca: CertificateInfo): string {
  return `the certificate ${subjectOf(ca)} (serial ${ca.serialHex}), whose key signed it, ${duplicateExtensionText(ca.duplicateExtension!)}, so it vouches for nothing`;
}

// ---- name constraints (RFC 5280 4.2.1.10), as OpenSSL's check_name_constraints and NAME_CONSTRAINTS_check judge them

/** OpenSSL's bound on names × constraints of one check (NAME_CHECK_MAX); past it the chain is refused. */
const NAME_CHECK_MAX = 1 << 20;
const OID_EMAIL_ADDRESS = '1.2.840.113549.1.9.1';
const OID_COMMON_NAME = '2.5.4.3';
/** id-on-SmtpUTF8Mailbox (RFC 8398 section 3): an internationalised mail address as an otherName. */
const OID_SMTP_UTF8_MAILBOX = '1.3.6.1.5.5.7.8.9';
const KIND_NAMES = [
  'otherName',
  'rfc822Name',
  'dNSName',
  'x400Address',
  'directoryName',
  'ediPartyName',
  'uniformResourceIdentifier',
  'iPAddress',
  'registeredID',
];

/** A name or constraint that stops the check: `violation` (outside the permitted or inside the excluded), or `unprocessed`. */
class Breach {
  constructor(readonly text: string) {}
}

/**
 * Why `cert` (the signer's) or a CA of `chain` (its issuers, up to the anchor) breaks the name constraints of a CA
 * above it, or undefined when none does. Each CA's nameConstraints bind every certificate below it (a self-issued
 * intermediate excepted), the anchor's too: the subject as a directoryName (when not empty), its emailAddress
 * attributes as rfc822Names, the subjectAltName's names, and, for the signer's certificate with no dNSName, a common
 * name that reads as a host name, as a dNSName. A name of a form whose constraints sandan does not process (URI,
 * x400Address…) meeting a constraint of that form refuses the chain, as OpenSSL does, and as a minimum or maximum does.
 */
function nameConstraintBreach(cert: CertificateInfo, chain: readonly CertificateInfo[]): string | undefined {
  if (!chain.some((ca) => hasNameConstraints(ca.der))) return undefined;
  const all = [cert, ...chain];
  const names = new Map<CertificateInfo, ReturnType<typeof parseCertificateNames>>();
  const namesOf = (c: CertificateInfo) => {
    let n = names.get(c);
    if (!n) {
      try {
        n = parseCertificateNames(c.der);
      } catch (e) {
        throw new Breach(`its names or name constraints cannot be read (${subjectOf(c)}): ${(e as Error).message}`);
      }
      names.set(c, n);
    }
    return n;
  };
  try {
    for (let i = all.length - 1; i >= 0; i--) {
      const x = all[i]!;
      const xNames = namesOf(x);
      // A self-issued intermediate (a CA's re-key) is not bound; the signer's certificate always is.
      if (i > 0 && sameName(xNames.subject, xNames.issuer)) continue;
      for (let j = all.length - 1; j > i; j--) {
        const ca = all[j]!;
        const nc = namesOf(ca).nameConstraints;
        if (!nc) continue;
        const what = i === 0 ? 'the certificate' : `the CA certificate ${subjectOf(x)} of its chain`;
        const breach = checkNames(xNames, nc, i === 0);
        if (breach)
          return `${what} ${breach}, which the name constraints of the CA certificate ${subjectOf(ca)} do not allow (RFC 5280 4.2.1.10; OpenSSL refuses the chain too)`;
      }
    }
  } catch (e) {
    if (e instanceof Breach) return e.text;
    throw e;
  }
  return undefined;
}

/** Why a certificate's names break one CA's constraints (after "the certificate"), or undefined. */
function checkNames(
  x: ReturnType<typeof parseCertificateNames>,
  nc: { permitted: GeneralSubtree[]; excluded: GeneralSubtree[] },
  signer: boolean,
): string | undefined {
  const entries = x.subject.reduce((n, rdn) => n + rdn.length, 0);
  const nameCount = entries + x.altNames.length;
  const constraintCount = nc.permitted.length + nc.excluded.length;
  if (nameCount > 0 && constraintCount > NAME_CHECK_MAX / nameCount)
    return `has ${nameCount} names against ${constraintCount} name constraints, more than a check makes`;
  const toCheck: Array<{ name: GeneralName; label: string }> = [];
  if (entries > 0) {
    toCheck.push({ name: { kind: 4, value: new Uint8Array(), directoryName: x.subject }, label: 'has the subject' });
    for (const rdn of x.subject)
      for (const a of rdn) {
        if (a.oid !== OID_EMAIL_ADDRESS) continue;
        // (OpenSSL: an emailAddress not an IA5String is a name syntax it does not support)
        if (a.tag !== 0x16) return 'has an emailAddress in its subject that is not an IA5String';
        toCheck.push({ name: { kind: 1, value: a.value }, label: 'has the emailAddress' });
      }
  }
  for (const g of x.altNames) toCheck.push({ name: g, label: 'has the subjectAltName' });
  for (const { name, label } of toCheck) {
    const r = matchConstraints(name, nc);
    if (r) return `${label} ${describeName(name)}: ${r}`;
  }
  if (signer && !x.altNames.some((g) => g.kind === 2)) {
    for (const rdn of x.subject)
      for (const a of rdn) {
        if (a.oid !== OID_COMMON_NAME) continue;
        const host = commonNameHost(a.tag, a.value);
        if (host === null) return 'has a common name with a NUL character';
        if (host === undefined) continue;
        const name: GeneralName = { kind: 2, value: Buffer.from(host, 'latin1') };
        const r = matchConstraints(name, nc);
        if (r) return `has the common name ${host}, a host name (it has no dNSName): ${r}`;
      }
  }
  return undefined;
}

/** Why one name breaks the constraints ("outside the permitted …"), or undefined. (OpenSSL's nc_match.) */
function matchConstraints(
  name: GeneralName,
  nc: { permitted: GeneralSubtree[]; excluded: GeneralSubtree[] },
): string | undefined {
  // An SmtpUTF8Mailbox (RFC 8398 section 6) is held to the rfc822Name constraints; an otherName to those of its type.
  const kind = name.otherName?.type === OID_SMTP_UTF8_MAILBOX ? 1 : name.kind;
  const sameForm = (s: GeneralSubtree) =>
    s.base.kind === kind && (kind !== 0 || s.base.otherName?.type === name.otherName?.type);
  const same = nc.permitted.filter(sameForm);
  const excludedSame = nc.excluded.filter(sameForm);
  for (const s of [...same, ...excludedSame])
    if (s.minMax) throw new Breach(`a name constraint of the chain gives a minimum or maximum, which RFC 5280 forbids`);
  if (same.length > 0 && !same.some((s) => matches(name, s.base, false)))
    return `outside the permitted ${same.map((s) => describeName(s.base)).join(', ')}`;
  const excluded = excludedSame.find((s) => matches(name, s.base, true));
  if (excluded) return `inside the excluded ${describeName(excluded.base)}`;
  return undefined;
}

/** A name falls within a constraint's base of the same form (`excluded`: the base is an excluded subtree's). */
function matches(name: GeneralName, base: GeneralName, excluded: boolean): boolean {
  if (name.otherName?.type === OID_SMTP_UTF8_MAILBOX) return smtpUtf8Within(name, ascii(base.value), excluded);
  switch (name.kind) {
    case 4:
      return dnWithin(name.directoryName!, base.directoryName!);
    case 2:
      return dnsWithin(ascii(name.value), ascii(base.value));
    case 1:
      return emailWithin(ascii(name.value), ascii(base.value));
    case 7:
      return ipWithin(name.value, base.value);
    case 6:
      return uriWithin(ascii(name.value), ascii(base.value));
    default:
      throw new Breach(
        `has a ${KIND_NAMES[name.kind] ?? `GeneralName [${name.kind}]`} where a CA of its chain constrains that form of name, which sandan (as OpenSSL) does not check`,
      );
  }
}

function ascii(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}

/** OpenSSL's ASN1_MASK_CANON: the string types whose values compare canonically (UTF-8, trimmed, spaces collapsed, ASCII lower-cased). */
const CANON_TAGS: ReadonlySet<number> = new Set([0x0c, 0x1e, 0x1c, 0x13, 0x14, 0x16, 0x1a]);

/** An attribute value as OpenSSL compares it in a name (x509_name_canon): the text canonicalised, or its tag and bytes. */
function canonicalValue(tag: number, value: Uint8Array): string {
  const text = stringText(tag, value);
  if (text === undefined) return `${tag}:${Buffer.from(value).toString('hex')}`;
  // ossl_isspace: space, \t, \n, \v, \f, \r; ASCII letters only are lower-cased.
  return `u:${asciiLower(trimOsslSpace(text).replace(/[ \t\n\v\f\r]+/g, ' '))}`;
}

const OSSL_SPACE = ' \t\n\v\f\r';
/** `text` without ossl_isspace characters at either end (by index: `/[…]+$/` is quadratic in a long inner run). */
function trimOsslSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && OSSL_SPACE.includes(text[start]!)) start++;
  while (end > start && OSSL_SPACE.includes(text[end - 1]!)) end--;
  return text.slice(start, end);
}

/** The text of a string value of one of the canonical types (BMP UTF-16, Universal UTF-32, T61 as Latin-1), else undefined. */
function stringText(tag: number, value: Uint8Array): string | undefined {
  if (!CANON_TAGS.has(tag)) return undefined;
  if (tag === 0x1e) return utf16be(value);
  if (tag === 0x1c) return utf32be(value);
  return tag === 0x0c ? Buffer.from(value).toString('utf8') : ascii(value);
}

/** Lower-cases ASCII letters only, as OpenSSL's ossl_tolower and ia5ncasecmp. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function utf16be(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
  return s;
}

function utf32be(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 3 < b.length; i += 4) {
    const cp = ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
    s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  }
  return s;
}

/** One RDN as a comparable key: its attributes' types and canonical values, as a set. */
function rdnKey(rdn: DistinguishedName[number]): string {
  return rdn
    .map((a) => `${a.oid}=${canonicalValue(a.tag, a.value)}`)
    .sort()
    .join('\u0000');
}

/** `base`'s RDNs begin `name`'s (OpenSSL's nc_dn: a prefix of the canonical encoding); an empty base holds all. */
function dnWithin(name: DistinguishedName, base: DistinguishedName): boolean {
  if (base.length > name.length) return false;
  return base.every((rdn, i) => rdnKey(rdn) === rdnKey(name[i]!));
}

function sameName(a: DistinguishedName, b: DistinguishedName): boolean {
  return a.length === b.length && dnWithin(a, b);
}

/** Its subject is its issuer (compared as OpenSSL compares names): a self-issued certificate. */
function selfIssued(c: CertificateInfo): boolean {
  try {
    const n = parseCertificateNames(c.der);
    return sameName(n.subject, n.issuer);
  } catch {
    return false;
  }
}

/** A dNSName within a base (OpenSSL's nc_dns): empty holds all; else the same, or more labels on the left. */
function dnsWithin(dns: string, base: string): boolean {
  if (base.length === 0) return true;
  if (dns.length < base.length) return false;
  const tail = dns.slice(dns.length - base.length);
  if (dns.length > base.length && !base.startsWith('.') && dns[dns.length - base.length - 1] !== '.') return false;
  return asciiLower(tail) === asciiLower(base);
}

/**
 * An rfc822Name within a base (OpenSSL's nc_email): `.example.com` any host under it; `example.com` that host;
 * `user@example.com` that mailbox (the local part case-sensitive). A name without `@` is a syntax OpenSSL refuses.
 */
function emailWithin(email: string, base: string): boolean {
  const at = email.lastIndexOf('@');
  if (at < 0)
    throw new Breach(`has the rfc822Name ${email}, which is no mail address (no @), under a CA that constrains them`);
  const baseAt = base.lastIndexOf('@');
  if (baseAt < 0 && base.startsWith('.'))
    return email.length > base.length && asciiLower(email.slice(email.length - base.length)) === asciiLower(base);
  let host = base;
  if (baseAt >= 0) {
    if (baseAt > 0 && base.slice(0, baseAt) !== email.slice(0, at)) return false;
    host = base.slice(baseAt + 1);
  }
  return asciiLower(email.slice(at + 1)) === asciiLower(host);
}

/**
 * An SmtpUTF8Mailbox within an rfc822Name base (OpenSSL's nc_email_eai): the host after its last `@` compared with the
 * base, ASCII letters case-folded. OpenSSL's releases differ where the base is `.example.com` (3.0, the one here and in
 * Node, compares with `..example.com`, so that no usual address is within it; later ones with `.example.com`) and
 * `user@example.com` (3.0 never within; later ones compare the local part too): a permitted base is taken as met only
 * when both read it so, an excluded one when either does, so that sandan refuses what either refuses. A value not a
 * UTF8String, one with no `@`, a base with a NUL, and a base with an A-label (`xn--`), which OpenSSL decodes and sandan
 * does not, refuse the chain.
 */
function smtpUtf8Within(name: GeneralName, base: string, excluded: boolean): boolean {
  const other = name.otherName!;
  const what = `an SmtpUTF8Mailbox (${JSON.stringify(Buffer.from(other.value).toString('utf8'))})`;
  if (base.includes('\0')) throw new Breach(`has ${what} under an rfc822Name constraint with a NUL`);
  if (other.tag !== 0x0c) throw new Breach(`has ${what} that is not a UTF8String (RFC 8398 section 3)`);
  const email = ascii(other.value);
  const at = email.lastIndexOf('@');
  if (at < 0) throw new Breach(`has ${what}, which is no mail address (no @), under a CA that constrains them`);
  if (base.split(/[.@]/).some((label) => label.startsWith('xn--')))
    throw new Breach(
      `has ${what} under the rfc822Name constraint ${JSON.stringify(base)}, whose A-label (xn--) sandan does not decode to compare`,
    );
  const endsWith = (suffix: string) =>
    email.length > suffix.length && asciiLower(email.slice(email.length - suffix.length)) === asciiLower(suffix);
  const host = asciiLower(email.slice(at + 1));
  let early: boolean;
  let later: boolean;
  if (base.startsWith('.')) {
    early = endsWith(`.${base}`);
    later = endsWith(base);
  } else {
    const baseAt = base.indexOf('@');
    early = host === asciiLower(base);
    later =
      baseAt < 0
        ? early
        : (baseAt === 0 || base.slice(0, baseAt) === email.slice(0, at)) && host === asciiLower(base.slice(baseAt + 1));
  }
  return excluded ? early || later : early && later;
}

/**
 * A URI within a base (OpenSSL's nc_uri): its host (after `scheme://`, up to a port or path) is the base, or for a base
 * `.example.com` a host under it. A URI with no `scheme://` host is a syntax OpenSSL refuses.
 */
function uriWithin(uri: string, base: string): boolean {
  const colon = uri.indexOf(':');
  const rest = colon >= 0 && uri.startsWith('//', colon + 1) ? uri.slice(colon + 3) : undefined;
  // (OpenSSL ends the host at the first ':' after it, else at the first '/')
  const end = rest === undefined ? -1 : rest.includes(':') ? rest.indexOf(':') : rest.indexOf('/');
  const host = rest === undefined ? '' : end < 0 ? rest : rest.slice(0, end);
  if (host === '')
    throw new Breach(`has the URI ${JSON.stringify(uri)}, which names no host, under a CA that constrains URIs`);
  if (base.startsWith('.'))
    return host.length > base.length && asciiLower(host.slice(host.length - base.length)) === asciiLower(base);
  return asciiLower(host) === asciiLower(base);
}

/** An iPAddress within a base address and mask (OpenSSL's nc_ip); IPv4 never within IPv6, nor the reverse. */
function ipWithin(ip: Uint8Array, base: Uint8Array): boolean {
  if ((ip.length !== 4 && ip.length !== 16) || (base.length !== 8 && base.length !== 32))
    throw new Breach('has an iPAddress, or a CA of its chain an iPAddress constraint, of no IPv4 or IPv6 length');
  if (ip.length * 2 !== base.length) return false;
  for (let i = 0; i < ip.length; i++)
    if ((ip[i]! & base[ip.length + i]!) !== (base[i]! & base[ip.length + i]!)) return false;
  return true;
}

/**
 * A common name as a host name (OpenSSL's cn2dnsid): letters, digits, `_`, and `-` and `.` inside, at least two labels;
 * undefined when it does not read as one, null when it holds a NUL (which OpenSSL refuses).
 */
function commonNameHost(tag: number, value: Uint8Array): string | undefined | null {
  // (ASN1_STRING_to_UTF8 takes any string type; the non-text ones never read as a host name)
  let text = stringText(tag, value) ?? (tag === 0x12 ? ascii(value) : undefined);
  if (text === undefined) return undefined;
  // (trailing NULs dropped by index: `/\0+$/` is quadratic in a long run of NULs inside)
  let end = text.length;
  while (end > 0 && text[end - 1] === '\0') end--;
  text = text.slice(0, end);
  if (text.includes('\0')) return null;
  let dns = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/[A-Za-z0-9_]/.test(c)) continue;
    if (i > 0 && i < text.length - 1) {
      if (c === '-') continue;
      if (c === '.' && text[i + 1] !== '.' && text[i - 1] !== '-' && text[i + 1] !== '-') {
        dns = true;
        continue;
      }
    }
    return undefined;
  }
  return dns ? text : undefined;
}

/** A GeneralName as a message shows it. */
function describeName(g: GeneralName): string {
  const form = KIND_NAMES[g.kind] ?? `[${g.kind}]`;
  switch (g.kind) {
    case 4:
      return `${form} ${dnText(g.directoryName!)}`;
    case 1:
    case 2:
    case 6:
      return `${form} ${JSON.stringify(ascii(g.value))}`;
    case 7:
      return `${form} ${ipText(g.value)}`;
    case 0:
      return g.otherName?.type === OID_SMTP_UTF8_MAILBOX
        ? `otherName SmtpUTF8Mailbox ${JSON.stringify(Buffer.from(g.otherName.value).toString('utf8'))}`
        : `${form} ${g.otherName?.type ?? ''}`.trimEnd();
    default:
      return form;
  }
}

const SHORT: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  [OID_EMAIL_ADDRESS]: 'emailAddress',
};

function dnText(dn: DistinguishedName): string {
  if (dn.length === 0) return '(empty: every name)';
  return dn
    .map((rdn) =>
      rdn
        .map((a) => {
          const shown = stringText(a.tag, a.value) ?? `#${Buffer.from(a.value).toString('hex')}`;
          return `${Object.hasOwn(SHORT, a.oid) ? SHORT[a.oid] : a.oid}=${shown}`;
        })
        .join('+'),
    )
    .join(', ');
}

function ipText(b: Uint8Array): string {
  const part = (x: Uint8Array) =>
    x.length === 4
      ? [...x].join('.')
      : Array.from({ length: x.length / 2 }, (_, i) => ((x[2 * i]! << 8) | x[2 * i + 1]!).toString(16)).join(':');
  if (b.length === 8 || b.length === 32)
    return `${part(b.subarray(0, b.length / 2))}/${part(b.subarray(b.length / 2))}`;
  return b.length === 4 || b.length === 16 ? part(b) : Buffer.from(b).toString('hex');
}
