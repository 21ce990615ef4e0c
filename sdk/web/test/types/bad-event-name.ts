// expect: TS2345 '"strated"'
import { createCall } from '@realtime-tokens/web';

createCall({ url: 'wss://lk.example', token: 'eyJ' }).on('strated', () => undefined);
