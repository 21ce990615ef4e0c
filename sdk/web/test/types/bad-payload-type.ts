// expect: TS2367 'finished'
import { createCall } from '@realtime-tokens/web';

createCall({ url: 'wss://lk.example', token: 'eyJ' }).on('ended', ({ reason }) => {
  if (reason === 'finished') console.log(reason);
});
