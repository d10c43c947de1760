// Type-checked by run_gramjs_test.sh (tsc --strict): what a GramJS user writes.
import {TelegramClient} from 'telegram';
import {StringSession} from 'telegram/sessions/index.js';
import {TgsessionSession, importGramJsSession} from 'tgsession/gramjs';
import {FileBackend} from 'tgsession/file';

export async function main(saved: string): Promise<string> {
  const session = new TgsessionSession('my-account', {importFrom: new StringSession(saved)});
  const client = new TelegramClient(session, 12345, 'hash', {});
  const onDisk = new TgsessionSession({backend: FileBackend.open('me.session')});
  const state = onDisk.getUpdateState(0);
  const pts: number | undefined = state?.pts;
  const imported = await importGramJsSession(saved);
  imported.free();
  // @ts-expect-error: the options need a backend when no name is given
  new TgsessionSession({lock: 'fail'});
  await client.disconnect();
  return `${pts} ${session.toStringSession()}`;
}
