/**
 * Types for the parts of `sm-crypto` (the original, untyped JS library many institutions use) that the
 * interoperability tests and the benchmark call.
 */
declare module 'sm-crypto' {
  interface SmCryptoSm2 {
    generateKeyPairHex(): { privateKey: string; publicKey: string };
    doSignature(msg: string | number[] | Uint8Array, privateKey: string, options?: { hash?: boolean; der?: boolean; publicKey?: string; userId?: string }): string;
    doVerifySignature(
      msg: string | number[] | Uint8Array,
      signHex: string,
      publicKey: string,
      options?: { hash?: boolean; der?: boolean; userId?: string },
    ): boolean;
  }
  interface SmCrypto {
    sm2: SmCryptoSm2;
    sm3(input: string | number[]): string;
  }
  const smCrypto: SmCrypto;
  export default smCrypto;
}
