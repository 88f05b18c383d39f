/** Injected into the bundle (console/build.ts): `Buffer` for the audit verifier, as Node has it. */
import { Buffer } from 'buffer';

export { Buffer };
