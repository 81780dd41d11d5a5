// A discarding HTTP sink: answers 204 to everything (the load client's ceiling). Prints "ready PORT".
import http from 'node:http';

const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(204);
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address() as { port: number };
  process.stdout.write(`ready ${a.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
