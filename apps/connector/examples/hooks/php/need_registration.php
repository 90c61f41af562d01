<?php
// need_registration.php — black list by trunk, white list of extensions for internal calls.

$blacklisted_trunks = ['74950000000', 'fax-line'];
$channel = $params['call_full']['channel'];

$result = !in_array($channel['trunk']['number'] ?? '', $blacklisted_trunks, true);

return [
    'data' => ['result' => $result],
    'state' => 'success',
];
