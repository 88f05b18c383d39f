/**
 * The console's small kit: loading a resource (with its error shown, and a retry), tables with a caption,
 * labelled fields, a modal dialog (the native <dialog>: focus moves in and is trapped, Escape closes), and
 * the formats (CST times, percentages) every page uses.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type ApiClient } from './api';
import { t } from './messages.zh-CN';

export interface Loaded<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly loading: boolean;
  reload(): void;
}

/** Runs `load` on mount and whenever `deps` change; a later answer replaces an earlier one, never the reverse. */
export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const mine = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === latest.current && setState({ data, loading: false }),
      (error: unknown) => mine === latest.current && setState({ error, loading: false }),
    );
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t.networkError;
    return `${error.detail || t.unknownError}（${t.errorCode(error.code)}）`;
  }
  return t.unknownError;
}

export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div class="notice error" role="alert">
      <span>{messageOf(error)}</span>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t.retry}
        </button>
      )}
    </div>
  );
}

/**
 * A CSV export of a staff endpoint (`format=csv`): fetched through the API with the bearer token (a plain
 * link would carry none) and saved as a file; a failure is shown beside the link.
 */
export function CsvLink({ api, path, query, name, testId }: { api: ApiClient; path: string; query: Record<string, string | undefined>; name: string; testId: string }) {
  const [error, setError] = useState<unknown>();
  const download = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    let text: string;
    try {
      text = await api.text(path, { ...query, format: 'csv' });
    } catch (failure) {
      setError(failure);
      return;
    }
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <>
      <a class="button" href={api.url(path, { ...query, format: 'csv' })} data-csv={testId} onClick={(e) => void download(e)}>
        {t.downloadCsv}
      </a>
      {error !== undefined && <ErrorNotice error={error} />}
    </>
  );
}

export function Resource<T>({ resource, children }: { resource: Loaded<T>; children: (data: T) => ComponentChildren }) {
  if (resource.error !== undefined && resource.data === undefined) return <ErrorNotice error={resource.error} onRetry={resource.reload} />;
  if (resource.data === undefined)
    return (
      <p class="muted" aria-live="polite">
        {t.loading}
      </p>
    );
  return <>{children(resource.data)}</>;
}

export interface Column<R> {
  readonly key: string;
  readonly label: string;
  readonly cell: (row: R) => ComponentChildren;
  readonly numeric?: boolean;
}

export function Table<R>({ caption, columns, rows, rowKey, testId }: { caption: string; columns: readonly Column<R>[]; rows: readonly R[]; rowKey: (row: R) => string; testId?: string }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" class={c.numeric ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} class="muted">
                {t.empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)} data-row={rowKey(row)}>
                {columns.map((c) => (
                  <td key={c.key} class={c.numeric ? 'num' : undefined} data-col={c.key}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

let fieldIds = 0;
/** A labelled control: the label names it (for= its id), a hint and an error are read with it. */
export function Field({ label, hint, children }: { label: string; hint?: string; children: (id: string, describedBy?: string) => JSX.Element }) {
  const [id] = useState(() => `f${++fieldIds}`);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children(id, hint ? `${id}-hint` : undefined)}
      {hint && (
        <small id={`${id}-hint`} class="muted">
          {hint}
        </small>
      )}
    </div>
  );
}

/** A modal dialog on the native <dialog> element (focus trapped, Escape closes, the page behind inert). */
export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current!;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={`${title}-title`} onClose={onClose} onCancel={onClose}>
      <h2 id={`${title}-title`}>{title}</h2>
      {open && children}
      <button type="button" class="dialog-close" onClick={onClose} aria-label={t.close}>
        ×
      </button>
    </dialog>
  );
}

/** A form whose submit runs `action`, shows it busy, and shows its error or its success message. */
export function ActionForm({ label, submitLabel, action, children, testId }: { label: string; submitLabel: string; action: () => Promise<string>; children: ComponentChildren; testId?: string }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();
  return (
    <form
      aria-label={label}
      data-testid={testId}
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setOutcome(undefined);
        try {
          setOutcome({ ok: true, text: await action() });
        } catch (error) {
          setOutcome({ ok: false, text: messageOf(error) });
        } finally {
          setBusy(false);
        }
      }}
    >
      {children}
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
      {outcome && (
        <p class={`notice ${outcome.ok ? 'ok' : 'error'}`} role={outcome.ok ? 'status' : 'alert'}>
          {outcome.text}
        </p>
      )}
    </form>
  );
}

const CST = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
export const cstTime = (iso: string | undefined): string => (iso === undefined ? '—' : CST.format(new Date(iso)));
export const percent = (rate: number): string => `${(rate * 100).toFixed(1)}%`;
/** Today in China Standard Time, `YYYY-MM-DD`. */
export const cstDay = (date = new Date()): string => new Date(date.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
export const addDays = (day: string, days: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** `1 小时 05 分` / `12 分 30 秒`: a countdown's remaining (or overdue) time. */
export function duration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h} 小时 ${String(m).padStart(2, '0')} 分` : `${m} 分 ${String(sec).padStart(2, '0')} 秒`;
}

/** Re-renders every `ms` (countdowns). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
