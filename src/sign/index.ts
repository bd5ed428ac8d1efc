/**
 * Signed submissions: XML-DSig for CEB messages (RSA-SHA1/SHA256 and SM2-SM3), pluggable signers,
 * verification, and the "179" payment-data upload. See docs/signing.md.
 */
export {
  DEFAULT_URIS,
  DIGEST_METHODS,
  DSIG_NS,
  SIGNATURE_METHODS,
  URIS as SIGNATURE_URIS,
  districtSignOptions,
  keyTypeOf,
  signOptionsFromDistrict,
  verifyAlgorithmsFromDistrict,
  type AlgorithmOptions,
  type DigestAlgorithm,
  type DistrictSignatureAlgorithm,
  type KeyType,
  type SignatureAlgorithm,
} from './algorithms.js';
export { sm2DerToRaw, sm2RawToDer } from './der.js';
export { loadCertificates, loadLocalSigner } from './load.js';
export {
  PAYEX_UPLOAD_URLS,
  decimalJson as payExAmountJson,
  openReqResponse,
  parseOpenReq,
  payExHeadJson,
  payExListsJson,
  payExSignString,
  payExUploadBody,
  signPayExchange,
  verifyPayExchange,
  type OpenRequest,
  type PayExchangeData,
  type PayExchangeInfoHead,
  type PayExchangeInfoItem,
  type PayExSignOptions,
  type PayExVerifyResult,
  type SignedPayExchange,
} from './payex.js';
export { signMessage, type SignedMessage, type SignOptions } from './sign-message.js';
export {
  createLocalSigner,
  readCertificate,
  type CertificateInfo,
  type LocalSignerOptions,
  type Signer,
} from './signer.js';
export { SM2_DEFAULT_USER_ID } from './sm2.js';
export type { Diagnosis, DiagnosisCause, DiagnosisCheck, DiagnosisCheckId } from './diagnose.js';
export {
  certificateValidityAt,
  verifyMessage,
  type CertificateValidity,
  type VerifiedEnvelope,
  type VerifyFailure,
  type VerifyFailureReason,
  type VerifyOptions,
  type VerifyResult,
  type VerifySuccess,
} from './verify-message.js';
export { SandanError, isSandanError, type SandanErrorCode } from '../errors.js';
