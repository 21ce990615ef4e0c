// expect: TS2551 'roomname'
import { createCall } from '@realtime-tokens/web';

createCall({ url: 'wss://lk.example', token: 'eyJ' }).on('started', (event) => console.log(event.roomname));
