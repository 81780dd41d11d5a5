import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { request } from 'undici';
import { handleQuery } from '../../core/http/query-handler.js';
import { makePoint } from '../../core/testing/points.js';
import { setup } from '../query/exec/harness.js';

// Bodies recorded from InfluxDB 1.6.7 (`Accept: application/x-msgpack`), as hex.
const RECORDED: Array<[string, string]> = [
  [
    'q=SELECT+*+FROM+q',
    '81a7726573756c74739182ac73746174656d656e745f696400a67365726965739183a46e616d65a171a7636f6c756d6e7396a474696d65a162a4686f7374a169a173a176a676616c7565739296c70c05000000005e0be100075bcd15c3a16102a178cb3ff800000000000096c70c05000000005e0be10a00000000c0a162c0c0cb4000000000000000',
  ],
  [
    'q=SELECT+v+FROM+q&chunked=true&chunk_size=1',
    '81a7726573756c74739183ac73746174656d656e745f696400a67365726965739184a46e616d65a171a7636f6c756d6e7392a474696d65a176a676616c7565739192c70c05000000005e0be100075bcd15cb3ff8000000000000a77061727469616cc3a77061727469616cc381a7726573756c74739182ac73746174656d656e745f696400a67365726965739183a46e616d65a171a7636f6c756d6e7392a474696d65a176a676616c7565739192c70c05000000005e0be10a00000000cb4000000000000000',
  ],
  [
    'q=SELECT+v+FROM+q+GROUP+BY+host&epoch=s',
    '81a7726573756c74739182ac73746174656d656e745f696400a67365726965739284a46e616d65a171a47461677381a4686f7374a161a7636f6c756d6e7392a474696d65a176a676616c7565739192d25e0be100cb3ff800000000000084a46e616d65a171a47461677381a4686f7374a162a7636f6c756d6e7392a474696d65a176a676616c7565739192d25e0be10acb4000000000000000',
  ],
  ['q=SELECT+*+FROM+nodb..q', '81a7726573756c74739181a56572726f72b86461746162617365206e6f7420666f756e643a206e6f6462'],
  [
    'q=SELEC',
    '81a56572726f72d9896572726f722070617273696e672071756572793a20666f756e642053454c45432c2065787065637465642053454c4543542c2044454c4554452c2053484f572c204352454154452c2044524f502c204558504c41494e2c204752414e542c205245564f4b452c20414c5445522c205345542c204b494c4c206174206c696e6520312c20636861722031',
  ],
  [
    'q=SHOW+FIELD+KEYS',
    '81a7726573756c74739182ac73746174656d656e745f696400a67365726965739183a46e616d65a171a7636f6c756d6e7392a86669656c644b6579a96669656c6454797065a676616c7565739492a162a7626f6f6c65616e92a169a7696e746567657292a173a6737472696e6792a176a5666c6f6174',
  ],
  [
    'q=CREATE+DATABASE+qs_mp',
    '81a7726573756c74739183ac73746174656d656e745f696400a86d657373616765739182a56c6576656ca77761726e696e67a474657874d9636465707265636174656420757365206f6620274352454154452044415441424153452071735f6d702720696e20612072656164206f6e6c7920636f6e746578742c20706c6561736520757365206120504f5354207265717565737420696e7374656164a673657269657390',
  ],
];

test('MessagePack answers are byte for byte what InfluxDB 1.6.7 sends', async (t) => {
  const env = await setup();
  await env.meta.createDatabase('qs_mp');
  await env.write('qs_mp', [
    makePoint('q', { host: 'a' }, { v: 1.5, i: 2n, s: 'x', b: true }, 1577836800123456789n),
    makePoint('q', { host: 'b' }, { v: 2 }, 1577836810000000000n),
  ]);
  const server = createServer((req, res) => void handleQuery(req, res, new URL(req.url!, 'http://x'), env.exec));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const [query, hex] of RECORDED) {
      const r = await request(`${base}/query?db=qs_mp&${query}`, { headers: { accept: 'application/x-msgpack' } });
      t.is(r.headers['content-type'], 'application/x-msgpack', query);
      t.is(Buffer.from(await r.body.arrayBuffer()).toString('hex'), hex, query);
    }
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    await env.close();
  }
});
