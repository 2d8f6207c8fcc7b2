import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { signAdmissionToken } from '../../core/admission/admission-token.js';
import { signAccessToken } from '../../core/auth/access-token.js';
import type { Config } from '../../core/config.js';

/** Who the suite can be: real people of the world, and ids no row has. */
export interface Identities {
  studentId: number;
  staffId: number;
  /** Signed validly, but no user has this id. */
  missingUserId: number;
  /** A room the student may hold an admission to, and one they may not. */
  roomId: number;
  otherRoomId: number;
}

export const ACCESS_KINDS = [
  'student',
  'staff',
  'missing-user',
  'expired',
  'forged',
  'alg-none',
  'other-alg',
  'wrong-audience',
  'wrong-issuer',
  'refresh-typ',
  'staff-claim-forged',
  'odd-subject',
  'admission-as-access',
  'garbage',
] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];
/**
 * The kinds that name a real user and carry the server's own signature. `odd-subject` (a subject with a
 * leading zero) is among them: only the server's key can sign one, and it names a real user.
 */
export const LETS_IN: ReadonlySet<AccessKind> = new Set<AccessKind>(['student', 'staff', 'odd-subject']);

export const ADMISSION_KINDS = [
  'valid',
  'other-room',
  'other-user',
  'missing-user',
  'expired',
  'forged',
  'no-kid',
  'access-as-admission',
  'garbage',
] as const;
export type AdmissionKind = (typeof ADMISSION_KINDS)[number];

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * Builds each kind of token once per call. A forged token is signed with a key the server doesn't hold;
 * the others are validly signed but wrong in one claim, so each is refused for its own reason.
 */
export class HostileTokens {
  private readonly otherSecret = createSecretKey(Buffer.from('not-the-server-secret-0123456789abcdef'));
  private readonly otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

  constructor(
    private readonly cfg: Pick<Config, 'auth' | 'admission'>,
    private readonly ids: Identities,
  ) {}

  access(kind: AccessKind, garbage = 'x.y.z'): string {
    const { auth } = this.cfg;
    const claims = { usr: 'someone', role: 'student', typ: 'access' };
    const opts = { issuer: auth.issuer, audience: auth.audience, expiresIn: 600 };
    switch (kind) {
      case 'student':
        return signAccessToken(auth, { id: this.ids.studentId, username: 'student', role: 'student' }).token;
      case 'staff':
        return signAccessToken(auth, { id: this.ids.staffId, username: 'staff', role: 'staff' }).token;
      case 'missing-user':
        return signAccessToken(auth, { id: this.ids.missingUserId, username: 'ghost', role: 'staff' }).token;
      case 'expired':
        return jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, auth.jwtKey, {
          algorithm: 'HS256',
          subject: String(this.ids.studentId),
          issuer: auth.issuer,
          audience: auth.audience,
        });
      case 'forged':
        return jwt.sign(claims, this.otherSecret, {
          ...opts,
          algorithm: 'HS256',
          subject: String(this.ids.staffId),
        });
      case 'alg-none':
        return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, role: 'staff', sub: String(this.ids.staffId), iss: auth.issuer, aud: auth.audience })}.`;
      case 'other-alg':
        return jwt.sign(claims, auth.jwtKey, {
          ...opts,
          algorithm: 'HS512',
          subject: String(this.ids.studentId),
        });
      case 'wrong-audience':
        return jwt.sign(claims, auth.jwtKey, {
          ...opts,
          audience: 'someone-else',
          algorithm: 'HS256',
          subject: String(this.ids.studentId),
        });
      case 'wrong-issuer':
        return jwt.sign(claims, auth.jwtKey, {
          ...opts,
          issuer: 'someone-else',
          algorithm: 'HS256',
          subject: String(this.ids.studentId),
        });
      case 'refresh-typ':
        return jwt.sign({ ...claims, typ: 'refresh' }, auth.jwtKey, {
          ...opts,
          algorithm: 'HS256',
          subject: String(this.ids.studentId),
        });
      case 'staff-claim-forged': {
        // A real student token whose payload was edited to say staff: the signature no longer matches.
        const [h, , s] = this.access('student').split('.');
        return `${h}.${b64({ ...claims, role: 'staff', sub: String(this.ids.studentId), iss: auth.issuer, aud: auth.audience, exp: Math.floor(Date.now() / 1000) + 600 })}.${s}`;
      }
      case 'odd-subject':
        return jwt.sign(claims, auth.jwtKey, {
          ...opts,
          algorithm: 'HS256',
          subject: `0${this.ids.studentId}`,
        });
      case 'admission-as-access':
        return this.admission('valid');
      case 'garbage':
        return garbage;
    }
  }

  admission(kind: AdmissionKind, garbage = 'x.y.z'): string {
    const adm = this.cfg.admission;
    const grant = { userId: this.ids.studentId, roomId: this.ids.roomId, queueNumber: 1 };
    switch (kind) {
      case 'valid':
        return signAdmissionToken(adm, grant).token;
      case 'other-room':
        return signAdmissionToken(adm, { ...grant, roomId: this.ids.otherRoomId }).token;
      case 'other-user':
        return signAdmissionToken(adm, { ...grant, userId: this.ids.staffId }).token;
      case 'missing-user':
        return signAdmissionToken(adm, { ...grant, userId: this.ids.missingUserId }).token;
      case 'expired':
        return signAdmissionToken(adm, { ...grant, ttlS: -60 }).token;
      case 'forged':
        return signAdmissionToken({ ...adm, privateKey: this.otherEc }, grant).token;
      case 'no-kid':
        return jwt.sign({ room: grant.roomId, qn: 1 }, adm.privateKey ?? this.otherEc, {
          algorithm: 'ES256',
          subject: String(grant.userId),
          audience: 'rushline-admission',
          issuer: 'rushline-waiting-room',
          expiresIn: 600,
        });
      case 'access-as-admission':
        return this.access('student');
      case 'garbage':
        return garbage;
    }
  }
}
