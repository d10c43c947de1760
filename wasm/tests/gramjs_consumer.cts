// Type-checked by run_gramjs_test.sh (tsc --strict): the same as
// gramjs_consumer.ts from a CommonJS module (these imports become require()).
import {TelegramClient} from 'telegram';
import {TgsessionSession} from 'tgsession/gramjs';
import {FileBackend} from 'tgsession/file';

export async function main(): Promise<number | undefined> {
  const session = new TgsessionSession({backend: FileBackend.open('me.session')});
  const client = new TelegramClient(session, 12345, 'hash', {});
  await client.disconnect();
  return session.getUpdateState(0)?.pts;
}
