/** Sign-in: username and password (then a TOTP code or a new password, if Cognito asks for one). */
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { CognitoError } from '../auth/cognito-srp';
import { signIn, type Session, type SignInProgress } from '../auth/session';
import type { ConsoleConfig } from '../config';
import { t } from '../messages.zh-CN';
import { Field } from '../ui';

function failureText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) return t.signIn.throttled;
    if (error.code === 'STAFF_ACCOUNT_LOCKED') return t.signIn.locked;
    if (error.status === 0) return t.networkError;
    return t.signIn.failed;
  }
  if (error instanceof CognitoError) return error.type === 'NotAuthorizedException' || error.type === 'UserNotFoundException' ? t.signIn.failed : `${t.unknownError}（${error.type}）`;
  return t.networkError;
}

export function SignIn({ config, expired, onSignedIn }: { config: ConsoleConfig; expired: boolean; onSignedIn: (session: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [extra, setExtra] = useState('');
  const [pending, setPending] = useState<Exclude<SignInProgress, { kind: 'done' }>>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const settle = (progress: SignInProgress) => {
    if (progress.kind === 'done') onSignedIn(progress.session);
    else {
      setExtra('');
      setPending(progress);
    }
  };
  return (
    <main class="sign-in" id="main">
      <h1>{t.appName}</h1>
      <form
        aria-label={t.signIn.title}
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            settle(pending ? await pending.answer(extra) : await signIn(config, username.trim(), password));
          } catch (e) {
            setError(failureText(e));
          } finally {
            setBusy(false);
            setPassword('');
          }
        }}
      >
        <h2>{pending?.kind === 'mfa' ? t.signIn.mfaTitle : pending?.kind === 'newPassword' ? t.signIn.newPasswordTitle : t.signIn.title}</h2>
        {expired && <p class="notice">{t.signIn.expired}</p>}
        {pending === undefined ? (
          <>
            <Field label={t.signIn.username}>{(id) => <input id={id} name="username" autoComplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />}</Field>
            <Field label={t.signIn.password}>
              {(id) => <input id={id} name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />}
            </Field>
          </>
        ) : (
          <Field label={pending.kind === 'mfa' ? t.signIn.mfaCode : t.signIn.newPassword}>
            {(id) => (
              <input
                id={id}
                name="extra"
                required
                type={pending.kind === 'mfa' ? 'text' : 'password'}
                inputMode={pending.kind === 'mfa' ? 'numeric' : undefined}
                autoComplete={pending.kind === 'mfa' ? 'one-time-code' : 'new-password'}
                value={extra}
                onInput={(e) => setExtra(e.currentTarget.value)}
              />
            )}
          </Field>
        )}
        <button type="submit" disabled={busy}>
          {busy ? t.signIn.busy : t.signIn.submit}
        </button>
        {error && (
          <p class="notice error" role="alert">
            {error}
          </p>
        )}
        {config.auth.kind === 'local' && <p class="muted">{t.signIn.localHint}</p>}
      </form>
    </main>
  );
}
