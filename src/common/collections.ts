/** Append `item` to the list under `key`, creating it: O(1), unlike re-spreading the list each time. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, item: V): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}
