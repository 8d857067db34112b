(import "m" "mem" (memory 1))
(func $dense (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128)
  local.get 1
  i32.const 8
  i32.mul
  local.set 14
  local.get 2
  i32.const 8
  i32.mul
  local.set 22
  local.get 7
  i32.const 8
  i32.mul
  local.set 18
  v128.const 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
  local.set 35
  i32.const 0
  local.set 11
  block
    loop
      local.get 11
      local.get 3
      i32.ge_u
      br_if 1
      i32.const 0
      local.set 12
      block
        loop
          local.get 12
          local.get 7
          i32.ge_u
          br_if 1
          local.get 6
          local.get 12
          i32.const 8
          i32.mul
          i32.add
          v128.load align=16
          local.set 24
          local.get 6
          local.get 12
          i32.const 8
          i32.mul
          i32.add
          v128.load offset=16 align=16
          local.set 25
          local.get 6
          local.get 12
          i32.const 8
          i32.mul
          i32.add
          v128.load align=16
          local.set 26
          local.get 6
          local.get 12
          i32.const 8
          i32.mul
          i32.add
          v128.load offset=16 align=16
          local.set 27
          local.get 6
          local.get 12
          i32.const 8
          i32.mul
          i32.add
          v128.load align=16
          local.set 28
          local.get 6
          local.get 12
          i32.const 8
          i32.mul
          i32.add
          v128.load offset=16 align=16
          local.set 29
          local.get 6
          local.get 12
          i32.const 8
          i32.mul
          i32.add
          v128.load align=16
          local.set 30
          local.get 6
          local.get 12
          i32.const 8
          i32.mul
          i32.add
          v128.load offset=16 align=16
          local.set 31
          local.get 5
          local.get 12
          i32.const 8
          i32.mul
          i32.add
          local.set 15
          local.get 0
          local.get 11
          local.get 14
          i32.mul
          i32.add
          local.tee 16
          local.get 14
          i32.add
          local.tee 19
          local.get 14
          i32.add
          local.tee 20
          local.get 14
          i32.add
          local.set 21
          i32.const 0
          local.set 13
          block
            loop
              local.get 13
              local.get 4
              i32.ge_u
              br_if 1
              local.get 15
              v128.load align=16
              local.set 32
              local.get 15
              v128.load offset=16 align=16
              local.set 33
              local.get 16
              f64.load align=8
              f64x2.splat
              local.set 34
              local.get 24
              local.get 34
              local.get 32
              f64x2.mul
              f64x2.add
              local.set 24
              local.get 25
              local.get 34
              local.get 33
              f64x2.mul
              f64x2.add
              local.set 25
              local.get 19
              f64.load align=8
              f64x2.splat
              local.set 34
              local.get 26
              local.get 34
              local.get 32
              f64x2.mul
              f64x2.add
              local.set 26
              local.get 27
              local.get 34
              local.get 33
              f64x2.mul
              f64x2.add
              local.set 27
              local.get 20
              f64.load align=8
              f64x2.splat
              local.set 34
              local.get 28
              local.get 34
              local.get 32
              f64x2.mul
              f64x2.add
              local.set 28
              local.get 29
              local.get 34
              local.get 33
              f64x2.mul
              f64x2.add
              local.set 29
              local.get 21
              f64.load align=8
              f64x2.splat
              local.set 34
              local.get 30
              local.get 34
              local.get 32
              f64x2.mul
              f64x2.add
              local.set 30
              local.get 31
              local.get 34
              local.get 33
              f64x2.mul
              f64x2.add
              local.set 31
              local.get 15
              local.get 18
              i32.add
              local.set 15
              local.get 16
              local.get 22
              i32.add
              local.set 16
              local.get 19
              local.get 22
              i32.add
              local.set 19
              local.get 20
              local.get 22
              i32.add
              local.set 20
              local.get 21
              local.get 22
              i32.add
              local.set 21
              local.get 13
              i32.const 1
              i32.add
              local.set 13
              br 0
            end
          end
          local.get 9
          if
            local.get 35
            local.get 24
            f64x2.pmax
            local.set 24
            local.get 35
            local.get 25
            f64x2.pmax
            local.set 25
            local.get 35
            local.get 26
            f64x2.pmax
            local.set 26
            local.get 35
            local.get 27
            f64x2.pmax
            local.set 27
            local.get 35
            local.get 28
            f64x2.pmax
            local.set 28
            local.get 35
            local.get 29
            f64x2.pmax
            local.set 29
            local.get 35
            local.get 30
            f64x2.pmax
            local.set 30
            local.get 35
            local.get 31
            f64x2.pmax
            local.set 31
          end
          local.get 11
          local.get 7
          i32.mul
          local.get 12
          i32.add
          i32.const 8
          i32.mul
          local.set 17
          local.get 10
          if
            local.get 10
            local.get 17
            i32.add
            local.set 23
            local.get 24
            local.get 23
            v128.load align=16
            local.get 35
            f64x2.gt
            v128.and
            local.set 24
            local.get 25
            local.get 23
            v128.load offset=16 align=16
            local.get 35
            f64x2.gt
            v128.and
            local.set 25
            local.get 23
            local.get 18
            i32.add
            local.set 23
            local.get 26
            local.get 23
            v128.load align=16
            local.get 35
            f64x2.gt
            v128.and
            local.set 26
            local.get 27
            local.get 23
            v128.load offset=16 align=16
            local.get 35
            f64x2.gt
            v128.and
            local.set 27
            local.get 23
            local.get 18
            i32.add
            local.set 23
            local.get 28
            local.get 23
            v128.load align=16
            local.get 35
            f64x2.gt
            v128.and
            local.set 28
            local.get 29
            local.get 23
            v128.load offset=16 align=16
            local.get 35
            f64x2.gt
            v128.and
            local.set 29
            local.get 23
            local.get 18
            i32.add
            local.set 23
            local.get 30
            local.get 23
            v128.load align=16
            local.get 35
            f64x2.gt
            v128.and
            local.set 30
            local.get 31
            local.get 23
            v128.load offset=16 align=16
            local.get 35
            f64x2.gt
            v128.and
            local.set 31
          end
          local.get 8
          local.get 17
          i32.add
          local.set 17
          local.get 17
          local.get 24
          v128.store align=16
          local.get 17
          local.get 25
          v128.store offset=16 align=16
          local.get 17
          local.get 18
          i32.add
          local.set 17
          local.get 17
          local.get 26
          v128.store align=16
          local.get 17
          local.get 27
          v128.store offset=16 align=16
          local.get 17
          local.get 18
          i32.add
          local.set 17
          local.get 17
          local.get 28
          v128.store align=16
          local.get 17
          local.get 29
          v128.store offset=16 align=16
          local.get 17
          local.get 18
          i32.add
          local.set 17
          local.get 17
          local.get 30
          v128.store align=16
          local.get 17
          local.get 31
          v128.store offset=16 align=16
          local.get 12
          i32.const 4
          i32.add
          local.set 12
          br 0
        end
      end
      local.get 11
      i32.const 4
      i32.add
      local.set 11
      br 0
    end
  end
)
