output "key_ids" {
  description = "Id of each key, by purpose; depends on the grants, so a resource using a key waits for its service agent's access."
  value       = { for purpose, key in google_kms_crypto_key.keys : purpose => key.id }
  depends_on  = [google_kms_crypto_key_iam_member.encrypter_decrypters]
}
