<?php
/**
 * asterisk-b24: runs one Itgrix-style customization file.
 *
 *   php run-hook.php /etc/asterisk-b24/hooks/<hook>.php   < input.json   > output.json
 *
 * The input JSON object becomes the array `$params` (as in Itgrix_bx); the customer's file is
 * `include`d and ends with a top-level `return [...]`; the returned array is printed as JSON.
 * Whatever the file echoes goes to stderr (logged), so it cannot corrupt the answer.
 * b24_call($method, $params) calls Bitrix24 through the connector (its queue and limits).
 * Exit codes: 0 answer printed; 3 no such file; 4 input not a JSON object; 5 answer not encodable;
 * 255 an uncaught exception / fatal error (PHP's own).
 */

ini_set('display_errors', 'stderr');
ini_set('log_errors', '0');
error_reporting(E_ALL);

$__hook_file = $argv[1] ?? '';
if ($__hook_file === '' || !is_file($__hook_file)) {
    fwrite(STDERR, "asterisk-b24: hook file not found: {$__hook_file}\n");
    exit(3);
}

$params = json_decode(stream_get_contents(STDIN), true);
if (!is_array($params)) {
    fwrite(STDERR, "asterisk-b24: input is not a JSON object: " . json_last_error_msg() . "\n");
    exit(4);
}

/**
 * Calls a Bitrix24 REST method through the connector (same OAuth, queue, rate limit, batches).
 * Returns the method's `result`; throws RuntimeException on failure.
 */
function b24_call(string $method, array $params = [])
{
    $url = getenv('ASTERISK_B24_API_URL');
    $token = getenv('ASTERISK_B24_API_TOKEN');
    if (!$url || !$token) {
        throw new RuntimeException('b24_call: the connector did not pass ASTERISK_B24_API_URL/TOKEN');
    }
    $body = json_encode(['method' => $method, 'params' => (object) $params], JSON_UNESCAPED_UNICODE);
    $context = stream_context_create(['http' => [
        'method' => 'POST',
        'header' => "Content-Type: application/json\r\nAuthorization: Bearer {$token}\r\n",
        'content' => $body,
        'timeout' => 30,
        'ignore_errors' => true,
    ]]);
    $response = @file_get_contents(rtrim($url, '/') . '/call', false, $context);
    if ($response === false) {
        throw new RuntimeException("b24_call {$method}: the connector did not answer");
    }
    $decoded = json_decode($response, true);
    if (!is_array($decoded)) {
        throw new RuntimeException("b24_call {$method}: bad answer from the connector");
    }
    if (isset($decoded['error'])) {
        // The connector's error shape: {"error": "<code>", "message": "<sentence>", "name": "<error class>"}
        $name = $decoded['name'] ?? $decoded['error'];
        $message = $decoded['message'] ?? '';
        throw new RuntimeException("b24_call {$method}: {$name}: {$message}");
    }
    return $decoded['result'] ?? null;
}

ob_start();
$__hook_result = include $__hook_file;
$__hook_echoed = ob_get_clean();
if ($__hook_echoed !== false && $__hook_echoed !== '') {
    fwrite(STDERR, $__hook_echoed);
}

$__hook_json = json_encode($__hook_result, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION);
if ($__hook_json === false) {
    fwrite(STDERR, "asterisk-b24: the returned value cannot be encoded as JSON: " . json_last_error_msg() . "\n");
    exit(5);
}
fwrite(STDOUT, $__hook_json);
exit(0);
